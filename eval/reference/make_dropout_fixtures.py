#!/usr/bin/env python3
"""Write Tests/Fixtures/gradients/tiny-dropout.json: torch autograd loss and gradients of the tiny GPT-2 with
GPT-2's training-time dropout ON, every mask drawn from LNTune's hash instead of torch's generator.

The batch, prefix and loss are exactly `gradient_fixture()` of make_forward_fixtures.py (right-padded rows of
8, 5 and 6 random tokens from generator seed 5, a 2-slot trainable prefix, label smoothing 0.1, mean loss).
The model runs in train() mode with each of transformers' four dropout sites replaced by `HashDropout`:

    site                                   where transformers 5.23 applies it (models/gpt2/modeling_gpt2.py)
    code 0       transformer.drop          GPT2Model.forward, `self.drop(hidden_states)` on wte+wpe   [B,T,C]
    code 1 + 3l  attention probabilities   eager_attention_forward, `nn.functional.dropout(attn_weights,
                                           p=dropout, ...)` with dropout=self.attn_dropout.p          [B,H,T,P+T]
    code 2 + 3l  h.l.attn.resid_dropout    GPT2Attention.forward, after c_proj                        [B,T,C]
    code 3 + 3l  h.l.mlp.dropout           GPT2MLP.forward, after c_proj                              [B,T,C]

The attention-probability dropout is not a module call, so the eager attention function is swapped for a
copy whose only change is that line (`module.attn_dropout(attn_weights)`); the script asserts the copy is
line-for-line transformers' function apart from it.

Mask (both sides): with mix the SplitMix64 finaliser and INC = 0x9E3779B97F4A7C15, all mod 2^64,
    site_key = mix(key + code * INC);  keep(i) = mix(site_key + i * INC) >= floor(rate * 2^64)
    out[i]   = x[i] * (float32(1) / float32(1 - rate)) if keep(i) else 0        (i: flat row-major index)

    ../venv/bin/python eval/reference/make_dropout_fixtures.py
"""
import inspect
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers.models.gpt2 import modeling_gpt2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_forward_fixtures import (  # noqa: E402
    FIXTURES, floats, load_tiny, pad_batch, positions_from_mask, prefix_cache, random_rows, write,
)

RATE = 0.25  # exact in binary, so the threshold is exactly 2^62
KEY = 0x0123456789ABCDEF
MASK64 = 2**64 - 1
INCREMENT = 0x9E3779B97F4A7C15
MIX1, MIX2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


# --- the mask, twice: plain Python ints (the reference) and numpy uint64 arrays (fast, for whole tensors) ---

def mix(z: int) -> int:
    z &= MASK64
    z = ((z ^ (z >> 30)) * MIX1) & MASK64
    z = ((z ^ (z >> 27)) * MIX2) & MASK64
    return z ^ (z >> 31)


def site_key(key: int, code: int) -> int:
    return mix(key + code * INCREMENT)


def threshold(rate: float) -> int:
    t = int(rate * 2**64)  # floor; exact for the dyadic rates used here
    assert t == rate * 2**64, f"rate {rate} is not exact in binary; the threshold would be ambiguous"
    return t


def keep_slow(site: int, i: int, rate: float) -> bool:
    return mix(site + i * INCREMENT) >= threshold(rate)


def mix_array(z: np.ndarray) -> np.ndarray:
    # numpy uint64 array arithmetic wraps modulo 2^64 (no overflow checks on arrays).
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
    return z ^ (z >> np.uint64(31))


def keep_array(site: int, count: int, rate: float) -> np.ndarray:
    i = np.arange(count, dtype=np.uint64)
    z = mix_array(np.uint64(site) + i * np.uint64(INCREMENT))
    return z >= np.uint64(threshold(rate))


class HashDropout(nn.Module):
    """Dropout whose keep mask is the hash of (site code, flat index): the same mask LNTune draws.

    Every call is logged (code, element count, kept count) so the script can prove each site fired once."""

    def __init__(self, code: int, rate: float, log: list):
        super().__init__()
        self.code, self.p, self.log = code, rate, log
        self.scale = torch.tensor(np.float32(1) / np.float32(1 - rate), dtype=torch.float32)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert x.dtype == torch.float32 and x.is_contiguous(), "flat index must be row-major float32"
        keep = keep_array(site_key(KEY, self.code), x.numel(), self.p)
        self.log.append((self.code, x.numel(), int(keep.sum())))
        keep = torch.from_numpy(keep).reshape(x.shape)
        return torch.where(keep, x * self.scale, torch.zeros((), dtype=x.dtype))


# --- the attention-probability site ---

def eager_attention_hashed(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
    if scaling is None:
        scaling = query.size(-1) ** -0.5

    attn_weights = torch.matmul(query, key.transpose(-1, -2)) * scaling

    if attention_mask is not None:
        attn_weights = attn_weights + attention_mask

    attn_weights = nn.functional.softmax(attn_weights, dim=-1)

    # Downcast (if necessary) back to V's dtype (if in mixed-precision) -- No-Op otherwise
    attn_weights = attn_weights.type(value.dtype)
    attn_weights = module.attn_dropout(attn_weights)

    attn_output = torch.matmul(attn_weights, value)
    attn_output = attn_output.transpose(1, 2)

    return attn_output, attn_weights


def check_attention_copy() -> None:
    """The copy must be transformers' eager_attention_forward with only the dropout line changed."""
    original = inspect.getsource(modeling_gpt2.eager_attention_forward).splitlines()
    copy = inspect.getsource(eager_attention_hashed).splitlines()
    assert len(original) == len(copy), "transformers' eager_attention_forward changed length"
    differing = [(a.strip(), b.strip()) for a, b in zip(original[1:], copy[1:]) if a != b]
    assert differing == [(
        "attn_weights = nn.functional.dropout(attn_weights, p=dropout, training=module.training)",
        "attn_weights = module.attn_dropout(attn_weights)",
    )], f"unexpected differences from transformers' eager attention: {differing}"


def install_hash_dropout(model, rate: float, log: list) -> None:
    """Replace every nn.Dropout of the model and the eager attention's functional dropout, then train()."""
    t = model.transformer
    t.drop = HashDropout(0, rate, log)
    for layer, block in enumerate(t.h):
        block.attn.attn_dropout = HashDropout(1 + 3 * layer, rate, log)
        block.attn.resid_dropout = HashDropout(2 + 3 * layer, rate, log)
        block.mlp.dropout = HashDropout(3 + 3 * layer, rate, log)
    left = [name for name, m in model.named_modules() if isinstance(m, nn.Dropout)]
    assert not left, f"torch dropout modules left: {left}"
    assert model.config._attn_implementation == "eager" and not model.config.reorder_and_upcast_attn
    model.train()


# --- the fixture ---

def batch(vocab: int, config):
    """gradient_fixture()'s inputs, drawn in the same order from the same generator."""
    g = torch.Generator().manual_seed(5)
    ids, mask = pad_batch(random_rows(g, (8, 5, 6), vocab), "right")
    p = 2
    prefix = torch.randn(config.n_layer, 2, config.n_head, p, config.n_embd // config.n_head, generator=g)
    return ids, mask, prefix


def loss_and_gradients(rate: float):
    model = load_tiny()
    c = model.config
    log = []
    install_hash_dropout(model, rate, log)
    ids, mask, prefix = batch(c.vocab_size, c)
    prefix.requires_grad_(True)
    b, t = ids.shape
    p = prefix.shape[3]
    labels = ids.masked_fill(mask == 0, -100)
    smoothing = 0.1
    original_attention = modeling_gpt2.eager_attention_forward
    modeling_gpt2.eager_attention_forward = eager_attention_hashed  # GPT2Attention looks it up per call
    try:
        logits = model(
            input_ids=ids, attention_mask=torch.cat([torch.ones(b, p, dtype=mask.dtype), mask], dim=1),
            position_ids=positions_from_mask(mask, p), past_key_values=prefix_cache(model, prefix, b),
        ).logits
    finally:
        modeling_gpt2.eager_attention_forward = original_attention
    loss = nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, c.vocab_size), labels[:, 1:].reshape(-1), label_smoothing=smoothing)
    loss.backward()

    # Each site fired exactly once, on the shape the spec names.
    h, k = c.n_head, p + t
    expected = {0: b * t * c.n_embd}
    for layer in range(c.n_layer):
        expected |= {1 + 3 * layer: b * h * t * k, 2 + 3 * layer: b * t * c.n_embd, 3 + 3 * layer: b * t * c.n_embd}
    assert sorted(code for code, _, _ in log) == sorted(expected), f"dropout sites fired: {log}"
    assert all(n == expected[code] for code, n, _ in log), f"dropout shapes: {log}"

    grads = {name: param.grad for name, param in model.transformer.named_parameters()}
    return {
        "ids": ids, "mask": mask, "labels": labels, "smoothing": smoothing, "prefix": prefix, "loss": loss,
        "grads": grads, "log": log,
    }


def check_mask_implementations() -> None:
    """SplitMix64's published first output, and the array mask equal to the integer reference."""
    assert mix(0 + INCREMENT) == 0xE220A8397B1DCDAF, "mix is not the SplitMix64 finaliser"
    for code in (0, 1, 5, 7):
        site = site_key(KEY, code)
        slow = [keep_slow(site, i, RATE) for i in range(300)]
        assert keep_array(site, 300, RATE).tolist() == slow, f"numpy mask differs from reference at site {code}"


def compare_to_tiny(run) -> float:
    """Largest |difference| between the rate-0 run and Tests/Fixtures/gradients/tiny.json."""
    tiny = json.loads((FIXTURES / "gradients" / "tiny.json").read_text())
    assert tiny["tokens"] == run["ids"].reshape(-1).tolist() and tiny["mask"] == run["mask"].reshape(-1).tolist()
    assert tiny["prefix"] == floats(run["prefix"]), "prefix differs from tiny.json"
    worst = abs(tiny["loss"] - float(run["loss"].detach()))
    pairs = [(tiny["prefix_gradient"], floats(run["prefix"].grad))]
    pairs += [(values, floats(run["grads"][name])) for name, values in tiny["gradients"].items()]
    for want, got in pairs:
        assert len(want) == len(got)
        worst = max(worst, float(np.max(np.abs(np.array(want) - np.array(got)))))
    return worst


def main() -> None:
    check_attention_copy()
    check_mask_implementations()

    plain = loss_and_gradients(0.0)
    difference = compare_to_tiny(plain)
    assert difference <= 1e-6, f"rate 0 differs from tiny.json by {difference}"
    print(f"(a) rate 0 vs tiny.json: max |difference| {difference:.3g} over loss, prefix and "
          f"{len(json.loads((FIXTURES / 'gradients' / 'tiny.json').read_text())['gradients'])} gradients")

    run = loss_and_gradients(RATE)
    loss0, loss = float(plain["loss"].detach()), float(run["loss"].detach())
    assert abs(loss - loss0) > 1e-3, f"dropout did not change the loss ({loss} vs {loss0})"
    print(f"(b) loss without dropout {loss0!r}, with dropout {RATE}: {loss!r}")
    total = sum(n for _, n, _ in run["log"])
    kept = sum(k for _, _, k in run["log"])
    assert abs(kept / total - (1 - RATE)) < 0.02, f"kept fraction {kept / total}"
    print(f"(c) kept {kept} of {total} = {kept / total:.4f} (per site: "
          + ", ".join(f"{code}: {k / n:.3f}" for code, n, k in sorted(run["log"])) + ")")

    site = site_key(KEY, 5)
    b, t = run["ids"].shape
    write(FIXTURES / "gradients" / "tiny-dropout.json", {
        "batch_size": b, "length": t, "tokens": run["ids"].reshape(-1).tolist(),
        "mask": run["mask"].reshape(-1).tolist(), "labels": run["labels"].reshape(-1).tolist(),
        "label_smoothing": run["smoothing"], "loss": loss, "prefix_length": run["prefix"].shape[3],
        "prefix": floats(run["prefix"]), "prefix_gradient": floats(run["prefix"].grad),
        "gradients": {name: floats(g) for name, g in run["grads"].items()},
        "dropout_rate": RATE, "dropout_key": f"{KEY:016x}",
        "mask_check": {"site_key_code": 5, "count": 64, "kept": [int(keep_slow(site, i, RATE)) for i in range(64)]},
    })


if __name__ == "__main__":
    main()
