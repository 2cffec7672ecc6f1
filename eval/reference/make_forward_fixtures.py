#!/usr/bin/env python3
"""Write the parity fixtures for LNTune's kernels and GPT-2 forward/backward.

Reads Tests/Fixtures/tiny-gpt2 with transformers (GPT2LMHeadModel, float32, eval mode, eager attention) and
writes small JSON files the Swift tests compare against:

    Tests/Fixtures/gradients/adamw.json        three torch.optim.AdamW steps on a small tensor
    Tests/Fixtures/forward/padded.json          logits and losses for left- and right-padded batches
    Tests/Fixtures/forward/prefix.json          logits with random prefix key/values (past_key_values)
    Tests/Fixtures/gradients/tiny.json          autograd gradients of the target-only loss

Positions and masks are passed explicitly so the semantics are pinned, not inferred.
With `--full-size DIR` it instead writes a random GPT-2-small-config model and expected logits for a short
batch into DIR (outside the repository; the Swift test reads LNTUNE_GPT2_SMALL_FIXTURE).

    /work/venv/bin/python eval/reference/make_forward_fixtures.py
    /work/venv/bin/python eval/reference/make_forward_fixtures.py --full-size /tmp/gpt2-small-random
"""
import argparse
import json
import pathlib

import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"


def write(path: pathlib.Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, separators=(",", ":")) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def floats(t: torch.Tensor) -> list:
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def adamw_fixture() -> None:
    """Three AdamW steps with fresh gradients each time (bias correction changes per step)."""
    g = torch.Generator().manual_seed(7)
    p = torch.randn(37, generator=g)
    initial = p.clone()
    p.requires_grad_(True)
    hyper = dict(lr=3e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
    opt = torch.optim.AdamW([p], **hyper)
    grads, after = [], []
    for _ in range(3):
        grad = torch.randn(37, generator=g) * 0.5
        p.grad = grad.clone()
        opt.step()
        grads.append(floats(grad))
        after.append(floats(p))
    write(FIXTURES / "gradients" / "adamw.json", {
        "learning_rate": hyper["lr"], "beta1": hyper["betas"][0], "beta2": hyper["betas"][1], "epsilon": hyper["eps"],
        "weight_decay": hyper["weight_decay"], "initial": floats(initial), "gradients": grads, "after_step": after,
    })


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full-size", type=pathlib.Path, help="write a random GPT-2-small model + logits here")
    args = parser.parse_args()
    torch.manual_seed(0)
    if args.full_size:
        return
    adamw_fixture()


if __name__ == "__main__":
    main()
