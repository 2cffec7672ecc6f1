#!/usr/bin/env python3
"""Forward and LN-Tuning training-step throughput: PyTorch (+PEFT) against LNTune, in the same run.

Both sides use random weights with GPT-2's shapes, B×T random tokens, best of N timed runs after a warm-up,
and 2 threads (torch.set_num_threads(2); OpenBLAS uses both cores). The training step is what an LN-Tuning
trainer does per batch: forward, causal-LM loss over every next token, backward for the LayerNorm gains
and biases only (PEFT LNTuningConfig), AdamW on those.

    swift build -c release --product lntune
    /work/venv/bin/python eval/bench_forward.py --config small --batch 8 --seq 128
"""
import argparse
import json
import pathlib
import subprocess
import time

import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]


def best_of(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def torch_figures(config_name: str, b: int, t: int, repeats: int) -> dict:
    from peft import LNTuningConfig, get_peft_model
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.set_num_threads(2)
    torch.manual_seed(0)
    cfg = GPT2Config() if config_name == "small" else GPT2Config(n_embd=1024, n_layer=24, n_head=16)
    cfg.attn_pdrop = cfg.embd_pdrop = cfg.resid_pdrop = 0.0
    model = GPT2LMHeadModel(cfg).eval()
    ids = torch.randint(0, cfg.vocab_size, (b, t))

    with torch.no_grad():
        fwd_all = best_of(lambda: model(input_ids=ids), repeats)
        fwd_last = best_of(lambda: model(input_ids=ids, logits_to_keep=1), repeats)

    peft_model = get_peft_model(model, LNTuningConfig(task_type="CAUSAL_LM"))
    peft_model.train()
    optimizer = torch.optim.AdamW([p for p in peft_model.parameters() if p.requires_grad], lr=1e-4)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = peft_model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()

    train = best_of(step, repeats)
    return {"forward": b * t / fwd_all, "forward_last": b * t / fwd_last, "train_step": b * t / train}


def lntune_figures(config_name: str, b: int, t: int, repeats: int) -> dict:
    exe = ROOT / ".build" / "release" / "lntune"
    common = ["--config", config_name, "--batch", str(b), "--seq", str(t), "--repeats", str(repeats), "--json"]
    out = {}
    for name in ("forward", "train-step"):
        line = subprocess.run([str(exe), "bench", name, *common], check=True, capture_output=True, text=True).stdout
        out[name] = json.loads(line.strip().splitlines()[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", choices=("small", "medium"), default="small")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    pt = torch_figures(args.config, args.batch, args.seq, args.repeats)
    ln = lntune_figures(args.config, args.batch, args.seq, args.repeats)
    f, s = ln["forward"], ln["train-step"]
    rows = [
        ("forward, logits at every position", pt["forward"], f["tokens_per_second"]),
        ("forward, logits at the last position", pt["forward_last"], f["last_position_only_tokens_per_second"]),
        ("LN-Tuning train step (fwd + LN-only bwd + AdamW)", pt["train_step"], s["tokens_per_second"]),
    ]
    print(f"GPT-2 {args.config}, B={args.batch}, T={args.seq}, 2 threads, best of {args.repeats} (tokens/s)")
    print(f"{'':52} {'PyTorch':>9} {'LNTune':>9} {'ratio':>7}")
    for name, a, b in rows:
        print(f"{name:52} {a:9.0f} {b:9.0f} {b / a:6.2f}x")
    for name, r in (("forward", f), ("train step", s)):
        print(f"LNTune {name}: GEMMs alone {r['gemm_seconds']:.3f} s of {r['best_seconds']:.3f} s "
              f"({100 * r['gemm_seconds'] / r['best_seconds']:.0f}%), peak memory {r.get('peak_memory_mib', 0):.0f} MiB")


if __name__ == "__main__":
    main()
