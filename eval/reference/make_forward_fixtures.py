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

    ../venv/bin/python eval/reference/make_forward_fixtures.py
    ../venv/bin/python eval/reference/make_forward_fixtures.py --full-size ../gpt2-small-random
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
    """Float32 values as the shortest decimals that read back to the same float32 (keeps files small)."""
    return [float(str(x)) for x in t.detach().float().reshape(-1).numpy()]


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


def load_tiny():
    from transformers import GPT2LMHeadModel
    model = GPT2LMHeadModel.from_pretrained(FIXTURES / "tiny-gpt2", dtype=torch.float32, attn_implementation="eager")
    return model.eval()


def pad_batch(rows, side: str, pad_token: int = 0):
    """[B, T] ids and mask, padded on `side` to the longest row."""
    t = max(len(r) for r in rows)
    ids, mask = [], []
    for r in rows:
        pad = t - len(r)
        ids.append([pad_token] * pad + r if side == "left" else r + [pad_token] * pad)
        mask.append([0] * pad + [1] * len(r) if side == "left" else [1] * len(r) + [0] * pad)
    return torch.tensor(ids), torch.tensor(mask)


def positions_from_mask(mask: torch.Tensor, offset: int = 0) -> torch.Tensor:
    """transformers' generate rule (cumsum − 1, pads 0) plus PEFT's prefix offset."""
    pos = mask.long().cumsum(-1) - 1
    return pos.masked_fill(mask == 0, 0) + offset


def random_rows(g: torch.Generator, lengths, vocab: int):
    return [torch.randint(0, vocab, (n,), generator=g).tolist() for n in lengths]


def prefix_cache(model, prefix: torch.Tensor, batch: int):
    """A DynamicCache holding `prefix` [L, 2, NH, P, hd] in every row, as PEFT's get_prompt seeds it."""
    from transformers import DynamicCache
    cache = DynamicCache(config=model.config)
    for layer in range(prefix.shape[0]):
        k = prefix[layer, 0].unsqueeze(0).expand(batch, -1, -1, -1).contiguous()
        v = prefix[layer, 1].unsqueeze(0).expand(batch, -1, -1, -1).contiguous()
        cache.update(k, v, layer)
    return cache


def run_case(model, ids, mask, prefix=None, smoothing=(0.0, 0.1)):
    """Logits at every real position and the shifted-label losses (mean, sum, per sequence)."""
    b, t = ids.shape
    p = 0 if prefix is None else prefix.shape[3]
    kwargs = dict(input_ids=ids, attention_mask=mask, position_ids=positions_from_mask(mask, p))
    if prefix is not None:
        kwargs["attention_mask"] = torch.cat([torch.ones(b, p, dtype=mask.dtype), mask], dim=1)
        kwargs["past_key_values"] = prefix_cache(model, prefix, b)
    logits = model(**kwargs).logits.float()
    labels = ids.masked_fill(mask == 0, -100)
    # A row's first real token is scored from the position before it, which in a left-padded row is a pad
    # whose output is meaningless (it attends to nothing); it is not a target.
    first = (mask.cumsum(-1) == 1) & (mask == 1)
    labels = labels.masked_fill(first, -100)
    shift_logits = logits[:, :-1].reshape(-1, logits.shape[-1])
    shift_labels = labels[:, 1:].reshape(-1)
    losses = {}
    for eps in smoothing:
        tok = torch.nn.functional.cross_entropy(shift_logits, shift_labels, reduction="none", label_smoothing=eps)
        losses[str(eps)] = {
            "mean": float(torch.nn.functional.cross_entropy(shift_logits, shift_labels, label_smoothing=eps)),
            "sum": float(tok.sum()),
            "per_sequence": [float(x) for x in tok.view(b, t - 1).sum(-1)],
        }
    real = [i for i in range(b * t) if mask.reshape(-1)[i] == 1]
    return {
        "batch_size": b, "length": t, "tokens": ids.reshape(-1).tolist(), "mask": mask.reshape(-1).tolist(),
        "labels": labels.reshape(-1).tolist(), "logit_positions": real,
        "logits": floats(logits.reshape(b * t, -1)[real]), "losses": losses,
    }


@torch.no_grad()
def forward_fixtures() -> None:
    model = load_tiny()
    v = model.config.vocab_size
    g = torch.Generator().manual_seed(3)
    cases = {}
    for side, lengths in (("right", (9, 6, 4)), ("left", (8, 3, 5))):
        ids, mask = pad_batch(random_rows(g, lengths, v), side)
        cases[side] = run_case(model, ids, mask)
    write(FIXTURES / "forward" / "padded.json", cases)

    c = model.config
    p = 3
    prefix = torch.randn(c.n_layer, 2, c.n_head, p, c.n_embd // c.n_head, generator=g)
    out = {"prefix_length": p, "prefix": floats(prefix)}
    for side, lengths in (("right", (7, 4)), ("left", (6, 2))):
        ids, mask = pad_batch(random_rows(g, lengths, v), side)
        out[side] = run_case(model, ids, mask, prefix=prefix)
    write(FIXTURES / "forward" / "prefix.json", out)


GRADIENT_MATRICES = [
    "wte.weight", "wpe.weight", "h.0.attn.c_attn.weight", "h.1.attn.c_proj.weight", "h.0.mlp.c_fc.weight",
    "h.1.mlp.c_proj.weight",
]


def gradient_fixture() -> None:
    """Autograd gradients of the mean label-smoothed loss on a right-padded batch with a trainable prefix:
    every LayerNorm gain/bias, every bias, a few full matrices and the prefix keys/values."""
    model = load_tiny()
    c = model.config
    g = torch.Generator().manual_seed(5)
    ids, mask = pad_batch(random_rows(g, (8, 5, 6), c.vocab_size), "right")
    b, t = ids.shape
    p = 2
    prefix = torch.randn(c.n_layer, 2, c.n_head, p, c.n_embd // c.n_head, generator=g).requires_grad_(True)
    labels = ids.masked_fill(mask == 0, -100)
    smoothing = 0.1
    logits = model(
        input_ids=ids, attention_mask=torch.cat([torch.ones(b, p, dtype=mask.dtype), mask], dim=1),
        position_ids=positions_from_mask(mask, p), past_key_values=prefix_cache(model, prefix, b),
    ).logits
    loss = torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, c.vocab_size), labels[:, 1:].reshape(-1), label_smoothing=smoothing)
    loss.backward()
    grads = {}
    for name, param in model.transformer.named_parameters():
        if name.endswith(".bias") or ".ln_" in name or name.startswith("ln_f") or name in GRADIENT_MATRICES:
            grads[name] = floats(param.grad)
    write(FIXTURES / "gradients" / "tiny.json", {
        "batch_size": b, "length": t, "tokens": ids.reshape(-1).tolist(), "mask": mask.reshape(-1).tolist(),
        "labels": labels.reshape(-1).tolist(), "label_smoothing": smoothing, "loss": float(loss),
        "prefix_length": p, "prefix": floats(prefix), "prefix_gradient": floats(prefix.grad), "gradients": grads,
    })


@torch.no_grad()
def full_size_fixture(out_dir: pathlib.Path) -> None:
    """A randomly initialised GPT-2-small-config model (transformers' own init) saved as a model folder,
    plus expected logits for a short left-padded batch at a few positions per row."""
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(1)
    model = GPT2LMHeadModel(GPT2Config()).eval()
    model.config._attn_implementation = "eager"
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    g = torch.Generator().manual_seed(2)
    ids, mask = pad_batch(random_rows(g, (24, 17), model.config.vocab_size), "left")
    logits = model(input_ids=ids, attention_mask=mask, position_ids=positions_from_mask(mask)).logits
    b, t = ids.shape
    positions = [r * t + k for r in range(b) for k in (t - 8, t - 3, t - 1)]
    expected = {
        "batch_size": b, "length": t, "tokens": ids.reshape(-1).tolist(), "mask": mask.reshape(-1).tolist(),
        "logit_positions": positions, "logits": floats(logits.reshape(b * t, -1)[positions]),
    }
    (out_dir / "expected_logits.json").write_text(json.dumps(expected, separators=(",", ":")))
    print(f"wrote {out_dir} (model + expected_logits.json)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full-size", type=pathlib.Path, help="write a random GPT-2-small model + logits here")
    args = parser.parse_args()
    torch.manual_seed(0)
    if args.full_size:
        full_size_fixture(args.full_size)
        return
    adamw_fixture()
    forward_fixtures()
    gradient_fixture()


if __name__ == "__main__":
    main()
