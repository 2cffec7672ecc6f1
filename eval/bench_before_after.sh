#!/usr/bin/env bash
# Before/after figures for a kernel change, in one run: two lntune release binaries take turns on the same
# benchmarks, so a shared machine's changing load falls on both alike. Prints one line per measurement and a
# best-of summary per benchmark and binary.
#
#   eval/bench_before_after.sh BEFORE/lntune AFTER/lntune MODEL_FOLDER [ROUNDS]
#
# MODEL_FOLDER is a GPT-2-small-shaped checkpoint for the decoding runs (eval/make_random_gpt2.py writes one).
# LNTUNE_THREADS is left to the caller (unset: all cores).
set -euo pipefail

before="$1"
after="$2"
model="$3"
rounds="${4:-3}"

grep -m1 -o 'model name.*' /proc/cpuinfo
echo "flags: $(grep -m1 -o -w -E 'avx2|avx512f|avx512_bf16|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

results="$(mktemp)"
trap 'rm -f "$results"' EXIT

# Reads the benchmark's JSON lines; prints "name rate" for each measured mode.
rates() {
    python3 -c '
import json, sys
for line in sys.stdin:
    row = json.loads(line)
    rate = row.get("tokens_per_second", row.get("tokens_per_s"))
    if rate is not None:
        name = sys.argv[1] + ("-" + row["mode"] if "mode" in row else "")
        print(name + ("-" + str(row["prompts"]) if "prompts" in row else ""), rate)
' "$1"
}

measure() {  # label binary
    "$2" bench train-step --config small --batch-size 8 --seq-len 128 --repeats 2 --json | rates train-step |
        while read -r name rate; do echo "$name $1 $rate" | tee -a "$results"; done
    "$2" bench generate --model "$model" --batch-size 8 --num-beams 5 --repeats 2 --json | rates generate |
        while read -r name rate; do echo "$name $1 $rate" | tee -a "$results"; done
}

for round in $(seq 1 "$rounds"); do
    echo "# round $round (load $(cut -d' ' -f1 /proc/loadavg))"
    measure before "$before"
    measure after "$after"
done

echo "# best tokens/s over $rounds rounds"
sort -k1,1 -k2,2 -k3,3gr "$results" | awk '!seen[$1 FS $2]++ { print }'
