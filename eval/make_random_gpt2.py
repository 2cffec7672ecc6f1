#!/usr/bin/env python3
"""Write a GPT-2 with random weights in the published sizes, for benchmarks (never commit the output).

    ../venv/bin/python eval/make_random_gpt2.py --config small --out ../gpt2-small-random

Uses transformers' own initialisation and `save_pretrained`, so the folder is exactly what a real GPT-2
checkpoint saved by transformers looks like (config.json + F32 model.safetensors with `transformer.` names,
the tied lm_head dropped): ~498 MB for small.
"""
import argparse
import pathlib

import torch
from transformers import GPT2Config, GPT2LMHeadModel

SIZES = {  # transformers' gpt2, gpt2-medium, gpt2-large, gpt2-xl
    "small": dict(n_embd=768, n_layer=12, n_head=12),
    "medium": dict(n_embd=1024, n_layer=24, n_head=16),
    "large": dict(n_embd=1280, n_layer=36, n_head=20),
    "xl": dict(n_embd=1600, n_layer=48, n_head=25),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(SIZES), default="small")
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    model = GPT2LMHeadModel(GPT2Config(**SIZES[args.config]))
    model.save_pretrained(str(args.out))
    size = sum(f.stat().st_size for f in args.out.iterdir())
    print(f"wrote {args.out}: {sum(p.numel() for p in model.parameters())} parameters, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
