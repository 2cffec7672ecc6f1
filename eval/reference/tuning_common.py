"""Helpers shared by the Tuning fixture scripts (make_tuning_fixtures.py, make_adapter_fixtures.py)."""
import json
import pathlib

import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"
TINY = FIXTURES / "tiny-gpt2"


def write(path: pathlib.Path, obj) -> None:
    """Compact JSON, reported with its size (fixtures must stay small)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, separators=(",", ":")) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def floats(t: torch.Tensor) -> list:
    """Float32 values as the shortest decimals that read back to the same float32 (keeps files small)."""
    return [float(str(x)) for x in t.detach().float().reshape(-1).numpy()]


def load_tiny():
    """The committed tiny GPT-2, float32, eval mode (no dropout), eager attention."""
    from transformers import GPT2LMHeadModel
    return GPT2LMHeadModel.from_pretrained(TINY, dtype=torch.float32, attn_implementation="eager").eval()
