#!/usr/bin/env python3
"""Write checkpoint-format variants of Tests/Fixtures/tiny-gpt2 into Tests/Fixtures/checkpoints/.

Each variant is a model folder (config.json + weights) in one of the shapes real GPT-2 checkpoints come in:

  no-prefix/  F32, names without `transformer.` (as the hub's original `gpt2` upload)
  f16/        F16 data, with a few special values (subnormals, -0, max) planted in wte
  bf16/       BF16 data, likewise
  attn-bias/  no prefix, plus the `h.N.attn.bias` / `h.N.attn.masked_bias` buffers old conversions carry
  lm-head/    an explicit `lm_head.weight` equal to wte (a tied model saved without dropping the copy)
  sharded/    written by transformers' `save_pretrained(max_shard_size=...)`: model.safetensors.index.json + shards

values.json holds, per variant and tensor (bare HF name), a few `[flat_index, value]` pairs with the value
as torch converts it to float32 (`tensor.float()`), so the Swift loader's F16/BF16 conversion is checked
exactly against PyTorch's.

Check mode: `--check-saved DIR` loads a folder written by LNTune's `GPT2Checkpoint.save` with
`GPT2LMHeadModel.from_pretrained` and compares every tensor with `--against` (default tiny-gpt2) exactly.

    ../venv/bin/python eval/reference/make_checkpoint_fixtures.py
    ../venv/bin/python eval/reference/make_checkpoint_fixtures.py --check-saved ../gpt2-saved [--against DIR]
"""
import argparse
import json
import pathlib
import shutil

import torch
from safetensors.torch import load_file, save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = ROOT / "Tests" / "Fixtures" / "tiny-gpt2"
OUT = ROOT / "Tests" / "Fixtures" / "checkpoints"
PREFIX = "transformer."


def bare(name: str) -> str:
    return name[len(PREFIX):] if name.startswith(PREFIX) else name


def is_parameter(name: str) -> bool:
    """False for the tied LM head and the attention-mask buffers, which are not loaded as parameters."""
    b = bare(name)
    return name != "lm_head.weight" and not b.endswith(".attn.bias") and not b.endswith(".attn.masked_bias")


def plant_specials(tensors: dict, dtype: torch.dtype) -> None:
    """Puts values that exercise the conversion's edge cases into the first row of wte."""
    wte = tensors[PREFIX + "wte.weight"]
    info = torch.finfo(dtype)
    specials = [info.smallest_normal / 4, -info.smallest_normal / 8, -0.0, info.max, -info.max,
                info.smallest_normal, 1.0 + info.eps, -1.0 / 3.0]
    wte[0, : len(specials)] = torch.tensor(specials, dtype=torch.float64).to(dtype)


def sample(t: torch.Tensor, seed: int) -> list:
    """[flat_index, float32 value] pairs: first, last and a few random elements."""
    flat = t.float().reshape(-1)
    g = torch.Generator().manual_seed(seed)
    idx = sorted({0, flat.numel() - 1, *torch.randint(0, flat.numel(), (4,), generator=g).tolist()})
    if flat.numel() > 8:
        idx = sorted(set(idx) | set(range(8)))  # the planted specials live at the start of wte
    return [[i, float(flat[i])] for i in idx]


def write_variant(name: str, tensors: dict, config: dict) -> dict:
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    return {bare(k): sample(v, i) for i, (k, v) in enumerate(sorted(tensors.items())) if is_parameter(k)}


def write_sharded(config: dict) -> dict:
    from transformers import GPT2Config, GPT2LMHeadModel

    folder = OUT / "sharded"
    shutil.rmtree(folder, ignore_errors=True)
    model = GPT2LMHeadModel.from_pretrained(str(SRC))
    model.save_pretrained(str(folder), max_shard_size="60KB")
    assert (folder / "model.safetensors.index.json").exists(), "expected a sharded checkpoint"
    state = {k: v for k, v in model.state_dict().items() if k != "lm_head.weight"}
    return {bare(k): sample(v, i) for i, (k, v) in enumerate(sorted(state.items()))}


def make() -> None:
    config = json.loads((SRC / "config.json").read_text())
    base = load_file(str(SRC / "model.safetensors"))
    OUT.mkdir(parents=True, exist_ok=True)
    values = {}

    values["no-prefix"] = write_variant("no-prefix", {bare(k): v.clone() for k, v in base.items()}, config)

    for name, dtype in [("f16", torch.float16), ("bf16", torch.bfloat16)]:
        t = {k: v.to(dtype) for k, v in base.items()}
        plant_specials(t, dtype)
        values[name] = write_variant(name, t, config)

    t = {bare(k): v.clone() for k, v in base.items()}
    n = config["n_positions"]
    for i in range(config["n_layer"]):
        t[f"h.{i}.attn.bias"] = torch.tril(torch.ones(n, n)).view(1, 1, n, n)
        t[f"h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    values["attn-bias"] = write_variant("attn-bias", t, config)

    t = {k: v.clone() for k, v in base.items()}
    t["lm_head.weight"] = base[PREFIX + "wte.weight"].clone()
    values["lm-head"] = write_variant("lm-head", t, config)

    values["sharded"] = write_sharded(config)

    (OUT / "values.json").write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")
    size = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"wrote {OUT} ({size} bytes)")


def check_saved(saved: pathlib.Path, against: pathlib.Path) -> None:
    """Loads LNTune's output with transformers and compares it with the source checkpoint tensor by tensor."""
    from transformers import GPT2LMHeadModel

    model, info = GPT2LMHeadModel.from_pretrained(str(saved), output_loading_info=True)
    problems = {k: v for k, v in info.items() if v and k != "mismatched_keys" or (k == "mismatched_keys" and v)}
    state = model.state_dict()
    reference = {}
    index = against / "model.safetensors.index.json"
    files = sorted(set(json.loads(index.read_text())["weight_map"].values())) if index.exists() else ["model.safetensors"]
    for f in files:
        reference.update(load_file(str(against / f)))
    compared = 0
    for name, value in reference.items():
        if not is_parameter(name):
            continue
        mine = state[PREFIX + bare(name)]
        assert mine.shape == value.shape, f"{name}: shape {tuple(mine.shape)} vs {tuple(value.shape)}"
        assert torch.equal(mine, value.float()), f"{name}: values differ"
        compared += 1
    assert torch.equal(state["lm_head.weight"], state[PREFIX + "wte.weight"]), "lm_head is not tied to wte"
    assert not problems, f"loading info: {problems}"
    print(f"transformers loaded {saved}: {compared} tensors identical to {against}, lm_head tied, no missing/unexpected keys")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check-saved", type=pathlib.Path)
    parser.add_argument("--against", type=pathlib.Path, default=SRC)
    args = parser.parse_args()
    if args.check_saved:
        check_saved(args.check_saved, args.against)
    else:
        make()
