#!/usr/bin/env python3
"""The Markdown tables of eval/BENCHMARKS.md's "Tuning methods" section from eval/bench_methods.sh's output.

    python3 eval/bench_methods_tables.py OUT_DIR

Training (OUT_DIR/tune.txt): per method the best `Tuner.step` over every round, as process CPU seconds (both
threads; the steadier figure on a shared machine) and as wall seconds, tokens per CPU-second and per wall
second, the ratio of CPU time to full fine-tuning's, the peak RSS of the method's process, and the load average
each round started at. Decoding (OUT_DIR/generate.txt): the best new tokens/s of greedy and 2-beam search on one
prompt, and greedy against the bare model. Standard library only.
"""
import json
import re
import sys
from collections import defaultdict


def tune_table(path):
    runs = defaultdict(list)
    current = None
    for line in open(path):
        m = re.match(r"== round (\d+) method (\S+) load (\S+)", line)
        if m:
            current = {"load": float(m[3])}
            runs[m[2]].append(current)
            continue
        if current is None:
            continue
        if m := re.search(r"trainable params: ([\d,]+) \|\| all params: ([\d,]+) \|\| trainable%: ([\d.]+)", line):
            current.update(trainable=m[1], pct=float(m[3]))
        if m := re.search(r"Tuner.step: +best ([\d.]+) s", line):
            current["wall"] = float(m[1])
        if m := re.search(r"process CPU \(([\d.]+) s vs ([\d.]+) s\)", line):
            current["cpu"] = float(m[1])
        if m := re.search(r"peak RSS (\d+) MB", line):
            current["rss"] = int(m[1])
        if m := re.search(r"batch (\d+)×(\d+)", line):
            current["tokens"] = int(m[1]) * int(m[2])
    rows = {}
    for method, rounds in runs.items():
        done = [r for r in rounds if "cpu" in r]
        if done:
            rows[method] = dict(
                trainable=done[0]["trainable"], pct=done[0]["pct"], tokens=done[0]["tokens"],
                cpu=min(r["cpu"] for r in done), wall=min(r["wall"] for r in done),
                rss=max(r["rss"] for r in done), loads=[r["load"] for r in done])
    full = rows.get("full")
    print("| method | trainable | trainable % | best step, CPU s | tokens / CPU s | CPU vs full | best step, wall s"
          " | tokens / wall s | peak RSS (MB) | load avg at each round |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for method, r in rows.items():
        ratio = f"{r['cpu'] / full['cpu']:.2f}" if full else "—"
        loads = " / ".join(f"{x:.0f}" for x in r["loads"])
        print(f"| {method} | {r['trainable']} | {r['pct']:.4f} | {r['cpu']:.1f} | {r['tokens'] / r['cpu']:.0f} | {ratio}"
              f" | {r['wall']:.2f} | {r['tokens'] / r['wall']:.0f} | {r['rss']:,} | {loads} |")


def decode_table(path):
    best = defaultdict(dict)
    loads = defaultdict(list)
    current = None
    for line in open(path):
        m = re.match(r"== round (\d+) decode (.+?) load (\S+)", line)
        if m:
            current = m[2]
            loads[current].append(float(m[3]))
            continue
        line = line.strip()
        if current is None or not line.startswith("{"):
            continue
        row = json.loads(line)
        if "mode" in row:
            key = f"{row['mode']}×{row['prompts']}"
            best[current][key] = max(best[current].get(key, 0), row["tokens_per_s"])
    base = best.get("none", {}).get("greedy×1")
    print("| decoding with | greedy, batch 1 (tokens/s) | beam 2, one prompt (tokens/s) | greedy vs bare model"
          " | load avg at each round |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, b in best.items():
        ratio = f"{b['greedy×1'] / base:.2f}" if base and "greedy×1" in b else "—"
        print(f"| {name} | {b.get('greedy×1', float('nan')):.1f} | {b.get('beam-2×1', float('nan')):.1f} | {ratio}"
              f" | {' / '.join(f'{x:.1f}' for x in loads[name])} |")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
    tune_table(f"{out}/tune.txt")
    print()
    decode_table(f"{out}/generate.txt")
