#!/usr/bin/env python3
"""Write the bf16 parity fixtures: torch.autocast("cpu", dtype=torch.bfloat16) against float32 on two models.

    ../venv/bin/python eval/reference/make_bf16_fixtures.py

    Tests/Fixtures/bf16/tiny.json    the committed tiny GPT-2 (Tests/Fixtures/tiny-gpt2), B=3 T=9
    Tests/Fixtures/bf16/small.json   a GPT-2-small-shaped model (n_embd 768, 12 heads, vocabulary 50257, 2 of
                                     small's 12 blocks) whose weights come from a counter-based generator the
                                     Swift test reproduces (so no 200 MB checkpoint is committed), B=2 T=8

Each holds, for float32 and for autocast: logits (all of them for the tiny model; 64 fixed columns at every
position plus each position's top-5 ids for the 50257-wide one), the mean next-token loss, and the gradients of
every LayerNorm gain and bias (LN-Tuning's parameters). Eager attention, so every matmul is explicit:
under autocast on CPU the lower-precision ops (mm, addmm, matmul, bmm, baddbmm, linear) take bf16 inputs and
give bf16 outputs; layer_norm, softmax, GELU and the loss run on f32 or are upcast as transformers does; the
backward's matmuls run in bf16 too (the gradient of a bf16 tensor is bf16).
"""
import json
import pathlib

import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"
MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def floats(t: torch.Tensor) -> list:
    return [float(str(x)) for x in t.detach().float().reshape(-1).numpy()]


def counter_uniform(seed: int, count: int) -> np.ndarray:
    """u(i) in [0, 1) for i < count: SplitMix64's finaliser of seed + (i+1)·golden, top 24 bits / 2²⁴ (exact in
    f32). The Swift test (Bf16Parity.swift, `CounterWeights`) computes the same values."""
    z = (np.uint64(seed) + (np.arange(1, count + 1, dtype=np.uint64) * np.uint64(GOLDEN)))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float32) / np.float32(1 << 24)


def counter_model(config: GPT2Config) -> GPT2LMHeadModel:
    """Weights from `counter_uniform`, one seed per tensor in `named_parameters` order (lm_head tied):
    matrices and embeddings uniform with std 0.02, biases ±0.02, LayerNorm gains 1 ± 0.2, biases ± 0.1."""
    model = GPT2LMHeadModel(config).eval()
    with torch.no_grad():
        for index, (name, p) in enumerate(model.transformer.named_parameters()):
            u = torch.from_numpy(counter_uniform(1000 + index, p.numel())).view(p.shape) * 2 - 1
            if ".ln_" in name or name.startswith("ln_f"):
                p.copy_(1 + 0.2 * u if name.endswith("weight") else 0.1 * u)
            elif name.endswith("bias"):
                p.copy_(0.02 * u)
            else:
                p.copy_(0.02 * 3**0.5 * u)
    return model


def run(model, ids: torch.Tensor, autocast: bool):
    for name, p in model.named_parameters():
        p.requires_grad_(".ln_" in name or "ln_f" in name)
        p.grad = None
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        logits = model(input_ids=ids).logits
    logits = logits.float()
    v = logits.shape[-1]
    loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, v), ids[:, 1:].reshape(-1))
    loss.backward()
    grads = {n.removeprefix("transformer."): floats(p.grad) for n, p in model.named_parameters() if p.grad is not None}
    return logits.detach().reshape(-1, v), float(loss), grads


def fixture(model, ids: torch.Tensor, columns) -> dict:
    out = {"batch_size": ids.shape[0], "length": ids.shape[1], "tokens": ids.reshape(-1).tolist()}
    v = model.config.vocab_size
    out["columns"] = list(columns) if columns is not None else list(range(v))
    for key, autocast in (("fp32", False), ("autocast", True)):
        logits, loss, grads = run(model, ids, autocast)
        cols = logits[:, out["columns"]]
        out[key] = {
            "logits": floats(cols), "loss": loss, "gradients": grads,
            "top5": logits.topk(5, dim=-1).indices.reshape(-1).tolist(),
            "row_max_abs": floats(logits.abs().max(dim=-1).values),
        }
    # Whole-row statistics of autocast against fp32 (the 50257-wide rows are not stored).
    f, a = run(model, ids, False)[0], run(model, ids, True)[0]
    out["autocast_vs_fp32_max_abs"] = float((f - a).abs().max())
    return out


def write(path: pathlib.Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, separators=(",", ":")) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def main() -> None:
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(11)
    tiny = GPT2LMHeadModel.from_pretrained(FIXTURES / "tiny-gpt2", dtype=torch.float32, attn_implementation="eager")
    tiny.eval()
    ids = torch.randint(0, tiny.config.vocab_size, (3, 9), generator=g)
    write(FIXTURES / "bf16" / "tiny.json", fixture(tiny, ids, None))

    config = GPT2Config(n_layer=2, n_positions=64, attn_implementation="eager")
    config._attn_implementation = "eager"
    small = counter_model(config)
    ids = torch.randint(0, config.vocab_size, (2, 8), generator=g)
    columns = list(range(32)) + torch.randint(32, config.vocab_size, (32,), generator=g).tolist()
    write(FIXTURES / "bf16" / "small.json", fixture(small, ids, columns))


if __name__ == "__main__":
    main()
