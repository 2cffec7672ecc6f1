#!/usr/bin/env python3
"""How much --precision bf16 changes LNTune's results (issue 12, "Quality").

1. Training outcome: the quickstart's LN-Tuning run (data/tiny-model on data/sample, 4 epochs, lr 1e-2,
   batch 8) in fp32 and in bf16; final dev loss of each and their relative difference (target: within 1%),
   then greedy generation for data/sample/test.csv with each run's adapter at its own precision, scored with
   BLEU and ROUGE-L (`lntune score`).
2. Generation: greedy ids of the fp32-trained adapter in fp32 and in bf16 for the first N distinct MRs of
   E2E's testset_w_refs.csv (default 200): the share of inputs whose whole output is identical, and the
   share of fp32's tokens produced alike before the first difference (no target; the rate is reported).

Only the lntune binary is run (no Python ML packages needed):

    swift build -c release --product lntune
    python3 eval/bf16_quality.py --lntune .build/release/lntune --out /tmp/bf16-quality

Prints one JSON object (also written to OUT/summary.json).
"""

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(command):
    print("+", " ".join(str(c) for c in command), file=sys.stderr, flush=True)
    return subprocess.run([str(c) for c in command], check=True, capture_output=True, text=True).stdout


def train(lntune, out, precision):
    folder = out / f"train-{precision}"
    run([lntune, "train", "--model", REPO / "data/tiny-model", "--task", "e2e",
         "--train", REPO / "data/sample/train.csv", "--dev", REPO / "data/sample/dev.csv",
         "--epochs", 4, "--lr", "1e-2", "--batch-size", 8, "--method", "ln", "--report-to", "none",
         "--precision", precision, "--out", folder, "--overwrite"])
    result = json.loads((folder / "run.json").read_text())["result"]
    return folder, result


def generate(lntune, adapter, precision, inputs, predictions):
    run([lntune, "generate", "--model", REPO / "data/tiny-model", "--adapter", adapter, "--precision", precision,
         "--input", inputs, "--task", "e2e", "--out", predictions, "--overwrite"])
    return [json.loads(line) for line in predictions.read_text().splitlines() if line.strip()]


def score(lntune, predictions):
    report = json.loads(run([lntune, "score", "--jsonl", predictions, "--metrics", "bleu,rouge", "--json"]))
    by_name = {m["name"]: m["score"] for m in report["metrics"]}
    return {"bleu": by_name.get("BLEU"), "rougeL": by_name.get("rougeL")}


def first_mrs(shared, count, path):
    """The first `count` distinct MRs of E2E's test set with one reference each, as an E2E CSV."""
    seen = {}
    with open(shared / "datasets/e2e/testset_w_refs.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["mr"] not in seen:
                seen[row["mr"]] = row["ref"]
            if len(seen) == count:
                break
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(["mr", "ref"])
        writer.writerows(seen.items())
    return len(seen)


def agreement(a, b):
    identical, prefix, total = 0, 0, 0
    for x, y in zip(a, b):
        ids_a, ids_b = x["token_ids"], y["token_ids"]
        identical += ids_a == ids_b
        common = 0
        for p, q in zip(ids_a, ids_b):
            if p != q:
                break
            common += 1
        prefix += common
        total += len(ids_a)
    return {"inputs": len(a), "identical_outputs": identical, "identical_rate": identical / max(len(a), 1),
            "fp32_tokens": total, "tokens_before_first_difference": prefix, "token_rate": prefix / max(total, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lntune", default=str(REPO / ".build/release/lntune"))
    parser.add_argument("--out", default="/tmp/bf16-quality")
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--inputs", type=int, default=200)
    args = parser.parse_args()
    out, shared = Path(args.out), Path(args.shared)
    out.mkdir(parents=True, exist_ok=True)

    summary = {"training": {}, "generation": {}}
    adapters = {}
    for precision in ["fp32", "bf16"]:
        folder, result = train(args.lntune, out, precision)
        adapters[precision] = folder / "final"
        predictions = generate(args.lntune, folder / "final", precision, REPO / "data/sample/test.csv",
                               out / f"sample-test-{precision}.jsonl")
        summary["training"][precision] = {
            "final_dev_loss": result["last_dev_loss"], "best_dev_loss": result["best_dev_loss"],
            "steps": result["completed_steps"], "train_seconds": result["times"]["train_steps"],
            "test_examples": len(predictions), **score(args.lntune, out / f"sample-test-{precision}.jsonl")}
    fp32, bf16 = (summary["training"][p]["final_dev_loss"] for p in ["fp32", "bf16"])
    summary["training"]["dev_loss_relative_difference"] = abs(bf16 - fp32) / fp32
    summary["training"]["within_1_percent"] = abs(bf16 - fp32) / fp32 <= 0.01

    inputs = out / "e2e-test-mrs.csv"
    count = first_mrs(shared, args.inputs, inputs)
    outputs = {p: generate(args.lntune, adapters["fp32"], p, inputs, out / f"e2e-{count}-{p}.jsonl")
               for p in ["fp32", "bf16"]}
    summary["generation"] = {"adapter": "fp32-trained final", **agreement(outputs["fp32"], outputs["bf16"])}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
