#!/bin/sh
# Step time, tokens/s, peak memory and trainable share of every tuning method on a random-weight GPT-2 small,
# and the decoding cost each adds at batch 1 — the issue-14 tables in eval/BENCHMARKS.md.
#
# The machine is shared and noisy: the methods alternate within each round (one process per method, so the
# peak RSS is the method's own), and the tables take the best of the rounds. Outputs are appended, so a
# later call with METHODS= a few names adds rounds for them.
#
#   swift build -c release --product lntune
#   eval/bench_methods.sh OUT_DIR [ROUNDS] [BATCH] [MODEL_FOLDER] [LORA_ADAPTER]
#   eval/bench_methods_tables.py OUT_DIR                                        # the tables
#   METHODS="" eval/bench_methods.sh OUT_DIR 3 4 MODEL_FOLDER LORA_ADAPTER   # decoding only
#
# MODEL_FOLDER (a GPT-2 small folder, e.g. from eval/make_random_gpt2.py --config small) is needed for the
# decoding part; LORA_ADAPTER (a PEFT LoRA folder for that model) adds the merged/unmerged LoRA rows, run next
# to the bare model's so the three are timed under the same load.
set -eu
out=${1:?usage: eval/bench_methods.sh OUT_DIR [ROUNDS] [BATCH] [MODEL_FOLDER] [LORA_ADAPTER]}
rounds=${2:-2}
batch=${3:-8}
model=${4:-}
lora=${5:-}
bin=${LNTUNE:-.build/release/lntune}
methods=${METHODS-"full ln bitfit prefix lora adapter adapter-houlsby par-adapter mam prefix+ln lora+ln adapter+ln par-adapter+ln mam+ln"}
mkdir -p "$out"
grep -m1 'model name' /proc/cpuinfo > "$out/cpu.txt"
grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx|fma|f16c|amx)' | tr '\n' ' ' >> "$out/cpu.txt"
echo >> "$out/cpu.txt"
load() { cut -d' ' -f1 /proc/loadavg; }
if [ -n "$methods" ]; then
    for r in $(seq 1 "$rounds"); do
        for m in $methods; do
            echo "== round $r method $m load $(load)" >> "$out/tune.txt"
            "$bin" bench tune --config small --method "$m" --batch-size "$batch" --seq-len 128 --repeats 2 \
                >> "$out/tune.txt" 2>&1 || echo "failed: $m" >> "$out/tune.txt"
        done
    done
fi
[ -n "$model" ] || exit 0
decode() {
    "$bin" bench generate --model "$model" --prompt-length 16 --new-tokens 64 --batch-size 1 --num-beams 2 \
        --repeats 3 --json "$@" >> "$out/generate.txt" 2>&1
}
for r in $(seq 1 "$rounds"); do
    echo "== round $r decode none load $(load)" >> "$out/generate.txt"
    decode || echo "failed: none" >> "$out/generate.txt"
    if [ -n "$lora" ]; then
        echo "== round $r decode lora-file merge=yes load $(load)" >> "$out/generate.txt"
        decode --adapter "$lora" --merge || echo "failed: lora merge=yes" >> "$out/generate.txt"
        echo "== round $r decode lora-file merge=no load $(load)" >> "$out/generate.txt"
        decode --adapter "$lora" || echo "failed: lora merge=no" >> "$out/generate.txt"
    fi
    for m in prefix lora adapter adapter-houlsby par-adapter mam; do
        echo "== round $r decode $m load $(load)" >> "$out/generate.txt"
        decode --method "$m" || echo "failed: $m" >> "$out/generate.txt"
    done
done
