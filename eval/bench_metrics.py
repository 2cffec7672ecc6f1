#!/usr/bin/env python3
"""Speed of `lntune bench score` against sacreBLEU and rouge-score on the same data, in the same run.

Corpora (built from ../shared at run time, as Sources/Metrics/Scoring/BenchmarkCorpora.swift does): the E2E
test references and the DialogSum test summaries, each instance's first reference as the hypothesis and the
others as references. Timed: corpus BLEU (sacreBLEU 2.6.0 defaults) and ROUGE-1/2/L/Lsum with Porter stemming
(rouge-score 0.1.2 `score_multi` per example, then the mean), best of N runs over data already in memory, on
both sides. The machine is shared and noisy: compare the ratio, not the absolute times.

Run from the repository root after `swift build -c release`:
    /work/venv/bin/python eval/bench_metrics.py [--shared ../shared] [--repeats 3] [--swift-repeats 10]
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
from make_metric_fixtures import shared_corpora, streams  # noqa: E402  (same corpora as the fixtures)


def best_of(repeats, body):
    fastest, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = body()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest, value


def python_rows(repeats):
    rows = []
    for name, pairs in shared_corpora().items():
        hyps, refs = [h for h, _ in pairs], [r for _, r in pairs]
        seconds, bleu = best_of(repeats, lambda: BLEU().corpus_score(hyps, streams(refs)).score)
        rows.append({"corpus": name, "metric": "bleu", "seconds": seconds, "score": bleu})

        def rouge():
            scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
            scores = [scorer.score_multi(r, h) for h, r in pairs]
            return float(np.mean([s["rouge1"].fmeasure for s in scores]))

        seconds, value = best_of(repeats, rouge)
        rows.append({"corpus": name, "metric": "rouge-stem", "seconds": seconds, "score": value})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[1].parent / "shared"))
    parser.add_argument("--repeats", type=int, default=3, help="Python runs per measurement")
    parser.add_argument("--swift-repeats", type=int, default=10, help="Swift runs per measurement")
    parser.add_argument("--lntune", default=".build/release/lntune")
    args = parser.parse_args()

    swift = json.loads(subprocess.run(
        [args.lntune, "bench", "score", "--shared", args.shared, "--repeats", str(args.swift_repeats), "--json"],
        check=True, capture_output=True, text=True).stdout)
    python = python_rows(args.repeats)

    print(f"| corpus | metric | segments | Python (ms) | Swift (ms) | speed-up | same score |")
    print(f"|---|---|---:|---:|---:|---:|---|")
    for p in python:
        s = next(r for r in swift if r["corpus"] == p["corpus"] and r["metric"] == p["metric"])
        same = abs(s["score"] - p["score"]) <= 1e-9 * max(abs(p["score"]), 1e-300)
        print(f"| {p['corpus']} | {p['metric']} | {s['segments']} | {p['seconds'] * 1000:.1f} | "
              f"{s['seconds'] * 1000:.1f} | {p['seconds'] / s['seconds']:.0f}× | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
