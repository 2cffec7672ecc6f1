#!/usr/bin/env python3
"""Speed of `lntune bench score` against sacreBLEU and rouge-score on the same data, in the same run.

Corpora (built from ../shared at run time, as Sources/Metrics/Scoring/BenchmarkCorpora.swift does): the E2E
test references and the DialogSum test summaries, each instance's first reference as the hypothesis and the
others as references. Timed: corpus BLEU (sacreBLEU 2.6.0 defaults) and ROUGE-1/2/L/Lsum with Porter stemming
(rouge-score 0.1.2 `score_multi` per example, then the mean), best of N runs over data already in memory, on
both sides. The machine is shared and noisy, so the two sides are interleaved: each round runs the Swift
benchmark (itself best of --swift-repeats) and then every Python measurement once; the table keeps each side's
best round. Compare the ratio, not the absolute times.

Run from the repository root after `swift build -c release`:
    ../venv/bin/python eval/bench_metrics.py [--shared ../shared] [--rounds 3] [--swift-repeats 10]
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


def timed(body):
    start = time.perf_counter()
    value = body()
    return time.perf_counter() - start, value


def python_round(corpora):
    """One timing of each Python measurement: {(corpus, metric): (seconds, score)}."""
    out = {}
    for name, pairs in corpora.items():
        hyps, refs = [h for h, _ in pairs], [r for _, r in pairs]
        out[(name, "bleu")] = timed(lambda: BLEU().corpus_score(hyps, streams(refs)).score)

        def rouge():
            scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
            scores = [scorer.score_multi(r, h) for h, r in pairs]
            return float(np.mean([s["rouge1"].fmeasure for s in scores]))

        out[(name, "rouge-stem")] = timed(rouge)
    return out


def swift_round(args):
    rows = json.loads(subprocess.run(
        [args.lntune, "bench", "score", "--shared", args.shared, "--repeats", str(args.swift_repeats), "--json"],
        check=True, capture_output=True, text=True).stdout)
    return {(r["corpus"], r["metric"]): (r["seconds"], r["score"], r["segments"]) for r in rows}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[1].parent / "shared"))
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (Python runs per measurement)")
    parser.add_argument("--swift-repeats", type=int, default=10, help="Swift runs per measurement")
    parser.add_argument("--lntune", default=".build/release/lntune")
    args = parser.parse_args()

    corpora = shared_corpora()
    python, swift = {}, {}
    for _ in range(args.rounds):
        for key, value in swift_round(args).items():
            swift[key] = min(swift.get(key, value), value)
        for key, value in python_round(corpora).items():
            python[key] = min(python.get(key, value), value)

    print(f"| corpus | metric | segments | Python (ms) | Swift (ms) | speed-up | same score |")
    print(f"|---|---|---:|---:|---:|---:|---|")
    for (corpus, metric), (p_seconds, p_score) in python.items():
        s_seconds, s_score, segments = swift[(corpus, metric)]
        same = abs(s_score - p_score) <= 1e-9 * max(abs(p_score), 1e-300)
        print(f"| {corpus} | {metric} | {segments} | {p_seconds * 1000:.1f} | {s_seconds * 1000:.1f} | "
              f"{p_seconds / s_seconds:.0f}× | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
