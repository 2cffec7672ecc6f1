#!/usr/bin/env python3
"""Forward and LN-Tuning training-step throughput: PyTorch (+PEFT) against LNTune, in the same run.

Both sides use random weights with GPT-2's shapes, B×T random tokens, best of N timed runs after a warm-up,
and 2 threads (torch.set_num_threads(2); OpenBLAS uses both cores). The training step is what an LN-Tuning
trainer does per batch: forward, causal-LM loss over every next token, backward for the LayerNorm gains
and biases only (PEFT LNTuningConfig), AdamW on those.

--precision bf16 runs PyTorch under torch.autocast("cpu", dtype=torch.bfloat16) (forward and loss; backward
follows autocast's casts) and LNTune with --precision bf16; --precision both measures fp32 and bf16 in the
same run and prints LNTune bf16's ratios to PyTorch fp32 and to PyTorch autocast (issue 12's targets).

    swift build -c release --product lntune
    ../venv/bin/python eval/bench_forward.py --config small --batch-size 8 --seq-len 128 --precision both
"""
import argparse
import json
import pathlib
import subprocess
import time

import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]


def best_of(fn, repeats: int) -> tuple:
    """(best wall seconds, best process CPU seconds) over `repeats` runs after a warm-up."""
    fn()  # warm-up
    walls, cpus = [], []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def torch_figures(config_name: str, b: int, t: int, repeats: int, autocast: bool = False) -> dict:
    from peft import LNTuningConfig, get_peft_model
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.set_num_threads(2)
    torch.manual_seed(0)
    cfg = GPT2Config() if config_name == "small" else GPT2Config(n_embd=1024, n_layer=24, n_head=16)
    cfg.attn_pdrop = cfg.embd_pdrop = cfg.resid_pdrop = 0.0
    model = GPT2LMHeadModel(cfg).eval()
    ids = torch.randint(0, cfg.vocab_size, (b, t))

    def cast():
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast)

    def forward(**kwargs):
        with torch.no_grad(), cast():
            model(input_ids=ids, **kwargs)

    fwd_all = best_of(lambda: forward(), repeats)
    fwd_last = best_of(lambda: forward(logits_to_keep=1), repeats)

    peft_model = get_peft_model(model, LNTuningConfig(task_type="CAUSAL_LM"))
    peft_model.train()
    optimizer = torch.optim.AdamW([p for p in peft_model.parameters() if p.requires_grad], lr=1e-4)

    def step():
        optimizer.zero_grad(set_to_none=True)
        with cast():
            loss = peft_model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()

    train = best_of(step, repeats)
    n = b * t
    return {
        "forward": (n / fwd_all[0], n / fwd_all[1]), "forward_last": (n / fwd_last[0], n / fwd_last[1]),
        "train_step": (n / train[0], n / train[1]),
    }


def lntune_figures(config_name: str, b: int, t: int, repeats: int, exe: str, precision: str = "fp32") -> dict:
    common = ["--config", config_name, "--batch-size", str(b), "--seq-len", str(t), "--repeats", str(repeats), "--json",
              "--precision", precision]
    out = {}
    for name in ("forward", "train-step"):
        line = subprocess.run([str(exe), "bench", name, *common], check=True, capture_output=True, text=True).stdout
        out[name] = json.loads(line.strip().splitlines()[-1])  # the last line; the first names the CPU
    return out


def measure(args, precision: str) -> tuple:
    """PyTorch's and LNTune's figures at `precision`, alternating the two sides for --rounds rounds (on a shared
    machine the load changes from minute to minute) and keeping the best of every round for each."""
    pt, ln = None, None
    for _ in range(args.rounds):
        p = torch_figures(args.config, args.batch_size, args.seq_len, args.repeats, autocast=precision == "bf16")
        # Each side's figures as soon as they exist (tokens/s, tokens/CPU-s), so a run cut short still tells.
        print(f"# {precision} PyTorch: {json.dumps(p)}", flush=True)
        pt = p if pt is None else {k: tuple(max(a, b) for a, b in zip(pt[k], p[k])) for k in pt}
        l = lntune_figures(args.config, args.batch_size, args.seq_len, args.repeats, args.lntune, precision)
        print(f"# {precision} LNTune: {json.dumps({k: v['tokens_per_second'] for k, v in l.items()})}", flush=True)
        if ln is None:
            ln = l
        else:
            for k in ln:
                if l[k]["tokens_per_second"] > ln[k]["tokens_per_second"]:
                    cpu = min(ln[k]["cpu_seconds"], l[k]["cpu_seconds"])
                    ln[k] = dict(l[k], cpu_seconds=cpu)
                else:
                    ln[k]["cpu_seconds"] = min(ln[k]["cpu_seconds"], l[k]["cpu_seconds"])
    return pt, ln


def report(args, precision: str, pt: dict, ln: dict) -> None:
    f, s = ln["forward"], ln["train-step"]
    n = args.batch_size * args.seq_len
    rows = [
        ("forward, logits at every position", pt["forward"], (f["tokens_per_second"], n / f["cpu_seconds"])),
        ("forward, logits at the last position", pt["forward_last"],
         (f["last_position_only_tokens_per_second"], None)),
        ("LN-Tuning train step (fwd + LN-only bwd + AdamW)", pt["train_step"],
         (s["tokens_per_second"], n / s["cpu_seconds"])),
    ]
    torch_name = "PyTorch" if precision == "fp32" else "autocast"
    print(f"\n{precision}: GPT-2 {args.config}, B={args.batch_size}, T={args.seq_len}, 2 threads, "
          f"best of {args.repeats} x {args.rounds} rounds (PyTorch {'fp32' if precision == 'fp32' else 'autocast bf16'},"
          f" LNTune --precision {precision})")
    print(f"{'':52} {torch_name:>9} {'LNTune':>9} {'ratio':>7}   per CPU-second: {torch_name:>8} {'LNTune':>8} {'ratio':>6}")
    for name, a, b in rows:
        line = f"{name:52} {a[0]:9.0f} {b[0]:9.0f} {b[0] / a[0]:6.2f}x"
        if b[1] is not None:
            line += f"   {'':16} {a[1]:8.0f} {b[1]:8.0f} {b[1] / a[1]:5.2f}x"
        print(line)
    for name, r in (("forward", f), ("train step", s)):
        print(f"LNTune {name}: GEMMs alone {r['gemm_seconds']:.3f} s of {r['best_seconds']:.3f} s "
              f"({100 * r['gemm_seconds'] / r['best_seconds']:.0f}%), peak memory {r.get('peak_memory_mib', 0):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", choices=("small", "medium"), default="small")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="alternate PyTorch and LNTune this many times")
    parser.add_argument("--precision", choices=("fp32", "bf16", "both"), default="fp32")
    parser.add_argument("--lntune", default=str(ROOT / ".build" / "release" / "lntune"), help="the lntune binary")
    args = parser.parse_args()

    precisions = ["fp32", "bf16"] if args.precision == "both" else [args.precision]
    results = {p: measure(args, p) for p in precisions}
    for p in precisions:
        report(args, p, *results[p])
    if args.precision == "both":
        bf16 = results["bf16"][1]["train-step"]["tokens_per_second"]
        fp32_torch, autocast = results["fp32"][0]["train_step"][0], results["bf16"][0]["train_step"][0]
        print(f"\ntrain step, LNTune bf16 / PyTorch fp32: {bf16 / fp32_torch:.2f}x (target >= 2.0x on bf16 hardware); "
              f"/ PyTorch autocast bf16: {bf16 / autocast:.2f}x (target >= 1.3x)")


if __name__ == "__main__":
    main()
