#!/usr/bin/env bash
# One process × 2 threads against 2 Open MPI ranks × 1 thread (and 1 × 1 for the per-shard time), LN-Tuning a
# GPT-2-small-shaped model on E2E, for BENCHMARKS.md ("Open MPI"). Also checks the adapters are
# identical. Usage:
#
#   swift build -c release --traits MPI --scratch-path .build/mpi --product lntune
#   eval/bench_mpi.sh MODEL_FOLDER TOKENIZER_FOLDER E2E_TRAIN_CSV [STEPS] [BATCH]
#   (e.g. eval/bench_mpi.sh ../gpt2-small-random ../shared/gpt2 ../shared/datasets/e2e/trainset.csv 8 8)
set -euo pipefail
cd "$(dirname "$0")/.."
model=$1
tokenizer=$2
train=$3
steps=${4:-8}
batch=${5:-8}
lntune=$(realpath .build/mpi/release/lntune)
work=$(mktemp -d /tmp/lntune-bench-mpi.XXXXXX)
trap 'rm -rf "$work"' EXIT
args=(train --model "$model" --tokenizer "$tokenizer" --task e2e --train "$train" --method ln
    --seed 1 --batch-size "$batch" --max-steps "$steps" --report-to none)

run() { # NAME COMMAND…
    local name=$1
    shift
    local start end
    start=$(date +%s.%N)
    "$@" --out "$work/$name" >"$work/$name.log" 2>&1
    end=$(date +%s.%N)
    echo "== $name: wall $(echo "$end - $start" | bc) s"
    grep -E '(^throughput|^time:|data-parallel: rank)' "$work/$name.log" || tail -5 "$work/$name.log"
}

echo "uptime: $(uptime)"
run one-thread env LNTUNE_THREADS=1 OPENBLAS_NUM_THREADS=1 "$lntune" "${args[@]}"
run two-threads env LNTUNE_THREADS=2 OPENBLAS_NUM_THREADS=1 "$lntune" "${args[@]}"
run two-ranks mpirun --allow-run-as-root -np 2 --oversubscribe --mca btl tcp,self --mca btl_tcp_if_include lo \
    --mca oob_tcp_if_include lo -x LNTUNE_THREADS=1 -x OPENBLAS_NUM_THREADS=1 "$lntune" "${args[@]}"
for run in two-threads two-ranks; do
    cmp -s "$work/one-thread/final/adapter_model.safetensors" "$work/$run/final/adapter_model.safetensors" &&
        echo "$run: adapter identical to one-thread" || echo "$run: adapter DIFFERS from one-thread"
done
echo "uptime: $(uptime)"
