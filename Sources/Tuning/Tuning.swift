// The Tuning module. See ../shared/docs/architecture.md for what belongs here.
