import Foundation

/// Whether a model fits in this machine's memory, asked before its parameter buffer is allocated.
///
/// Without it a model too large for the machine (a config.json from a bigger model, or simply gpt2-xl on a small
/// box) gets as far as the allocator, where Linux either refuses the mapping or overcommits it and the process
/// is killed once the conversion touches the pages. Either way the user sees no figure; this says how much is
/// needed and how much there is.
public enum MemoryBudget {
    /// The machine's physical memory in bytes (`sysconf(_SC_PHYS_PAGES)` × page size), or nil when the system
    /// does not say.
    public static var physicalBytes: Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return nil }
        return CheckedSize.product(pages, pageSize) ?? .max
    }

    /// Throws `modelTooLarge` when loading needs more than `limit` bytes (nil: the physical memory; when that is
    /// unknown, nothing is checked).
    static func check(
        plan: CheckpointTensors.Plan, limit: Int?, directory: String
    ) throws(GPT2Error) {
        guard let available = limit ?? physicalBytes else { return }
        let needed = plan.allocationBytes ?? .max
        guard needed <= available else {
            throw .modelTooLarge(
                directory: directory, parameters: plan.layout.totalCount, neededBytes: needed,
                availableBytes: available)
        }
    }
}
