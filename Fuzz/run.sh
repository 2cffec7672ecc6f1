#!/usr/bin/env bash
# Builds and runs the libFuzzer targets for the readers of untrusted model files, outside SwiftPM (the package
# does not compile this folder).
#
#   Fuzz/run.sh [config|safetensors|adapter-config|all] [RUNS]     default: all, 1000000 runs per target
#   FUZZ_FLAGS="-max_total_time=600" Fuzz/run.sh safetensors -1    time-boxed instead (RUNS -1: no run limit)
#
# The config and safetensors targets are one `swiftc -sanitize=fuzzer,address` invocation over the GPT2 sources
# they need plus Fuzz/<Name>Fuzz.swift. adapter-config reads whole adapter folders through the Tuning library,
# so it first compiles Tuning and the targets under it as instrumented static modules (a few minutes), then links
# Fuzz/AdapterConfigFuzz.swift against them; it runs from the package root and reads Tests/Fixtures. Binaries, the growing corpus and any crash inputs (crash-*, oom-*, timeout-*) go to
# .build/fuzz/<target>/. Seeds are made here: data/tiny-model/config.json, and a complete safetensors
# checkpoint for the harness's tiny config (needs python3). A crash input is replayed with
#   .build/fuzz/<target>/fuzz .build/fuzz/<target>/crash-…
#
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${1:-all}"
runs="${2:-1000000}"

gpt2=Sources/GPT2
config_sources=(
    "$gpt2/GPT2Error.swift" "$gpt2/GPT2Config.swift" "$gpt2/ConfigNumberDecoding.swift"
    "$gpt2/GPT2ConfigValidation.swift" "$gpt2/GPT2ConfigFile.swift" "$gpt2/ParameterLayout.swift"
)
safetensors_sources=(
    "${config_sources[@]}" "$gpt2/SafeTensorsDType.swift" "$gpt2/SafeTensorsHeader.swift"
    "$gpt2/SafeTensorsFile.swift" "$gpt2/FiniteScan.swift" "$gpt2/CheckpointTensors.swift"
    "$gpt2/GPT2Parameters.swift" "$gpt2/MemoryBudget.swift"
)

sources_for() {
    case "$1" in
        config) echo "${config_sources[@]}" Fuzz/ConfigFuzz.swift ;;
        safetensors) echo "${safetensors_sources[@]}" Fuzz/SafeTensorsFuzz.swift ;;
        adapter-config) echo Fuzz/AdapterConfigFuzz.swift ;;
        *) echo "unknown fuzz target '$1' (config, safetensors, adapter-config)" >&2; return 1 ;;
    esac
}

write_seeds() {
    local name="$1" seeds="$2"
    mkdir -p "$seeds"
    case "$name" in
        config) cp data/tiny-model/config.json "$seeds/tiny-model-config.json" ;;
        adapter-config)
            # Every adapter_config.json the tests commit: PEFT's LN and prefix files and LNTune's records.
            find Tests/Fixtures -name adapter_config.json | while read -r file; do
                cp "$file" "$seeds/$(echo "$file" | tr / _)"
            done
            ;;
        safetensors)
            # Every tensor of GPT2Config(vocab 8, positions 4, embd 4, 1 layer, 2 heads), F32, sorted names and
            # contiguous offsets as the Rust writer leaves them; one copy with a tied lm_head and metadata.
            python3 - "$seeds" <<'PY'
import json, struct, sys
V, P, C, H = 8, 4, 4, 16
shapes = {"wte.weight": [V, C], "wpe.weight": [P, C], "ln_f.weight": [C], "ln_f.bias": [C]}
block = {"ln_1.weight": [C], "ln_1.bias": [C], "attn.c_attn.weight": [C, 3 * C], "attn.c_attn.bias": [3 * C],
         "attn.c_proj.weight": [C, C], "attn.c_proj.bias": [C], "ln_2.weight": [C], "ln_2.bias": [C],
         "mlp.c_fc.weight": [C, H], "mlp.c_fc.bias": [H], "mlp.c_proj.weight": [H, C], "mlp.c_proj.bias": [C]}
shapes.update({"h.0." + k: v for k, v in block.items()})
def image(tensors, metadata=None):
    header, data = {}, b""
    if metadata: header["__metadata__"] = metadata
    for name in sorted(tensors):
        count = 1
        for d in tensors[name]: count *= d
        values = struct.pack("<%df" % count, *[0.25 * ((i % 7) - 3) for i in range(count)])
        header[name] = {"dtype": "F32", "shape": tensors[name], "data_offsets": [len(data), len(data) + len(values)]}
        data += values
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data
with open(sys.argv[1] + "/tiny.safetensors", "wb") as f:
    f.write(image({"transformer." + k: v for k, v in shapes.items()}))
with open(sys.argv[1] + "/tiny-lm-head.safetensors", "wb") as f:
    f.write(image(dict(shapes, **{"lm_head.weight": [V, C]}), {"format": "pt"}))
PY
            ;;
    esac
}

run_target() {
    local name="$1" work=".build/fuzz/$1"
    local sources
    sources=$(sources_for "$name")
    mkdir -p "$work/corpus"
    write_seeds "$name" "$work/seeds"
    echo "== building $name fuzzer"
    rm -f "$work/fuzz"  # so that a failed build cannot leave an old binary to run
    local modules=() libraries=()
    if [ "$name" = adapter-config ]; then
        # The library targets the adapter reader needs, in dependency order, each an instrumented static module.
        mkdir -p "$work/modules"
        local stale=no
        for module in Randomness WorkerThreads Kernels GPT2 Tuning; do
            libraries=("$work/modules/lib$module.a" "${libraries[@]}")
            # Recompiled when it or a module under it changed since the last build.
            if [ "$stale" = no ] && [ -f "$work/modules/lib$module.a" ] \
                && [ -z "$(find "Sources/$module" -name '*.swift' -newer "$work/modules/lib$module.a")" ]; then
                continue
            fi
            stale=yes
            echo "   compiling $module"
            # shellcheck disable=SC2046 # one argument per source file
            swiftc -sanitize=fuzzer,address -parse-as-library -O -emit-library -static -module-name "$module" \
                -I "$work/modules" -I Sources/CBLAS -emit-module -emit-module-path "$work/modules/$module.swiftmodule" \
                $(find "Sources/$module" -name '*.swift' | sort) -o "$work/modules/lib$module.a" 2>&1 \
                | grep -v "Cannot export local symbol" || true
        done
        modules=(-I "$work/modules" -I Sources/CBLAS "${libraries[@]}" -lopenblas)
    fi
    # shellcheck disable=SC2086 # the source list is split on purpose
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name LNTuneFuzz $sources \
        "${modules[@]}" -o "$work/fuzz" 2>&1 | grep -v "Cannot export local symbol" || true
    [ -x "$work/fuzz" ] || { echo "build of the $name fuzzer failed" >&2; return 1; }
    echo "== fuzzing $name: $runs runs ${FUZZ_FLAGS:-}"
    # Foundation's Data(contentsOf:) keeps a 4 KiB buffer for each empty file it reads, which LeakSanitizer
    # reports at exit; only the adapter target reads files, and a leak is not what it looks for.
    local leaks=1
    [ "$name" = adapter-config ] && leaks=0
    # shellcheck disable=SC2086
    ASAN_OPTIONS="detect_leaks=$leaks${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$work/fuzz" -runs="$runs" -max_len=4096 -dict=Fuzz/json.dict -print_final_stats=1 -detect_leaks="$leaks" \
        -artifact_prefix="$work/" ${FUZZ_FLAGS:-} "$work/corpus" "$work/seeds"
}

if [ "$target" = all ]; then
    for name in config safetensors adapter-config; do run_target "$name"; done
else
    run_target "$target"
fi
