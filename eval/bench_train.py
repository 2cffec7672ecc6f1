#!/usr/bin/env python3
"""End-to-end LN-Tuning training: `lntune train` against transformers' Trainer + PEFT LNTuningConfig.

Both train GPT-2 (default: the random GPT-2-small checkpoint, real GPT-2 BPE) with LN-Tuning on the first
--pairs E2E training pairs (default 2,000), batch 8, --steps optimizer steps (linear schedule, lr 1e-3, no
warm-up, gradient clipping at 1.0, no weight decay, dropout 0), in fp32 and in bf16 (LNTune --precision bf16;
Trainer bf16=True, i.e. torch.autocast on CPU), 2 threads each. Same sequences and loss: E2E's template
` {source} <|endoftext|> {target} <|endoftext|>` (prompts/e2e.txt), loss on the target part only (labels -100
on the prompt and on padding); same padding: each batch padded to its longest sequence, batches of similar
lengths (LNTune's length-bucketed batching; Trainer's train_sampling_strategy="group_by_length"), right
padding.

The figure is wall time per epoch-equivalent (--pairs / 8 steps), from the training loop's own time (LNTune's
run.json `times.train_steps`, Trainer's `train_runtime`), extrapolated from --steps; the whole process's wall
time is printed too. The sides alternate per precision so a shared machine's load hits both alike.

    swift build -c release --product lntune
    ../venv/bin/python eval/bench_train.py --steps 20
"""
import argparse
import csv
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def read_pairs(shared: Path, count: int):
    with open(shared / "datasets/e2e/trainset.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[:count]
    return [(row["mr"], row["ref"]) for row in rows]


def linearise(mr: str) -> str:
    """`name[The Vaults], eatType[pub]` → `name : The Vaults | eatType : pub` (LNTune's e2e task)."""
    parts = []
    for item in mr.split("],"):
        item = item.strip().rstrip("]")
        slot, _, value = item.partition("[")
        parts.append(f"{slot.strip()} : {value.strip()}")
    return " | ".join(parts)


def lntune_run(args, pairs_csv: Path, precision: str, out: Path) -> dict:
    command = [args.lntune, "train", "--model", args.model, "--tokenizer", args.tokenizer, "--task", "e2e",
               "--train", str(pairs_csv), "--method", "ln", "--batch-size", "8", "--max-steps", str(args.steps),
               "--lr", "1e-3", "--report-to", "none", "--precision", precision, "--out", str(out), "--overwrite"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True,
                   env=dict(os.environ, LNTUNE_THREADS="2"))
    wall = time.perf_counter() - start
    result = json.loads((out / "run.json").read_text())["result"]
    return {"loop_seconds": result["times"]["train_steps"], "process_seconds": wall,
            "steps": result["completed_steps"], "last_train_loss": result["last_train_loss"]}


def trainer_run(args, pairs, precision: str, out: Path) -> dict:
    import torch
    from peft import LNTuningConfig, get_peft_model
    from transformers import (GPT2LMHeadModel, GPT2TokenizerFast, Trainer, TrainingArguments)

    torch.set_num_threads(2)
    start = time.perf_counter()
    # from_pretrained on the folder (vocab.json + merges.txt): constructing GPT2TokenizerFast from the two file
    # paths gives an empty vocabulary in transformers 5 (every text encodes to no tokens).
    tokenizer = GPT2TokenizerFast.from_pretrained(args.tokenizer)
    eos = tokenizer.eos_token_id
    if not tokenizer.encode(" name"):
        raise SystemExit(f"{args.tokenizer}: the tokenizer encodes text to no tokens")
    examples = []
    for mr, ref in pairs:
        prompt = tokenizer.encode(" " + linearise(mr) + " ") + [eos]
        target = tokenizer.encode(" " + ref + " ") + [eos]
        examples.append({"input_ids": prompt + target, "labels": [-100] * len(prompt) + target,
                         "length": len(prompt) + len(target)})

    def collate(batch):
        width = max(len(e["input_ids"]) for e in batch)
        ids = torch.full((len(batch), width), eos)
        labels = torch.full((len(batch), width), -100)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, e in enumerate(batch):
            n = len(e["input_ids"])
            ids[i, :n] = torch.tensor(e["input_ids"])
            labels[i, :n] = torch.tensor(e["labels"])
            mask[i, :n] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}

    model = GPT2LMHeadModel.from_pretrained(args.model, attn_pdrop=0.0, embd_pdrop=0.0, resid_pdrop=0.0)
    model = get_peft_model(model, LNTuningConfig(task_type="CAUSAL_LM"))
    training = TrainingArguments(
        output_dir=str(out), per_device_train_batch_size=8, max_steps=args.steps, learning_rate=1e-3,
        lr_scheduler_type="linear", warmup_steps=0, weight_decay=0.0, max_grad_norm=1.0, seed=42,
        train_sampling_strategy="group_by_length", length_column_name="length", bf16=precision == "bf16", use_cpu=True,
        report_to=[], save_strategy="no", logging_strategy="no", dataloader_num_workers=0,
        remove_unused_columns=False, disable_tqdm=True)
    trainer = Trainer(model=model, args=training, train_dataset=examples, data_collator=collate)
    metrics = trainer.train().metrics
    return {"loop_seconds": metrics["train_runtime"], "process_seconds": time.perf_counter() - start,
            "steps": args.steps, "last_train_loss": metrics.get("train_loss")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lntune", default=str(ROOT / ".build/release/lntune"))
    parser.add_argument("--model", default=str(ROOT.parent / "gpt2-small-random"))
    parser.add_argument("--tokenizer", default=str(ROOT.parent / "shared/gpt2"))
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--precision", choices=("fp32", "bf16", "both"), default="both")
    args = parser.parse_args()

    pairs = read_pairs(Path(args.shared), args.pairs)
    steps_per_epoch = len(pairs) / 8
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pairs_csv = tmp / "pairs.csv"
        with open(pairs_csv, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, quoting=csv.QUOTE_ALL)
            writer.writerow(["mr", "ref"])
            writer.writerows(pairs)
        for precision in (["fp32", "bf16"] if args.precision == "both" else [args.precision]):
            results[("lntune", precision)] = lntune_run(args, pairs_csv, precision, tmp / f"lntune-{precision}")
            results[("trainer", precision)] = trainer_run(args, pairs, precision, tmp / f"trainer-{precision}")

    print(f"LN-Tuning, {len(pairs)} E2E pairs, B=8, {args.steps} steps timed; seconds per epoch-equivalent "
          f"({steps_per_epoch:.0f} steps), 2 threads")
    print(f"{'':24} {'loop s/epoch':>13} {'process s':>10} {'loss*':>10}")
    for (side, precision), r in results.items():
        per_epoch = r["loop_seconds"] / r["steps"] * steps_per_epoch
        r["seconds_per_epoch"] = per_epoch
        loss = r["last_train_loss"]
        print(f"{side + ' ' + precision:24} {per_epoch:13.1f} {r['process_seconds']:10.1f} "
              f"{loss if loss is not None else float('nan'):10.3f}")
    best = {side: min(r["seconds_per_epoch"] for (s, _), r in results.items() if s == side)
            for side in ("lntune", "trainer")}
    print("* loss: LNTune's last step; the Trainer's mean over the steps (its train_loss)")
    print(f"LNTune's best vs the Trainer's best: {best['trainer'] / best['lntune']:.2f}x faster (target >= 2x)")
    print(json.dumps({f"{s} {p}": r for (s, p), r in results.items()}))


if __name__ == "__main__":
    main()
