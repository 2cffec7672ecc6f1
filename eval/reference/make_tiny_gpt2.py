#!/usr/bin/env python3
"""Write the tiny random GPT-2 checkpoint every parity test uses: Tests/Fixtures/tiny-gpt2/.

A real Hugging Face layout (config.json + model.safetensors with `transformer.` names and Conv1D weights
stored [in, out]), small enough to commit. All weights are random with a spread large enough that logits
are far from uniform (so greedy/beam ties are rare), and the LayerNorm gains and biases are randomized too,
so a LayerNorm bug cannot hide behind gain 1 / bias 0.

Needs only numpy and safetensors. Deterministic (seed 1234).
    python eval/reference/make_tiny_gpt2.py
"""
import json
import pathlib

import numpy as np
from safetensors.numpy import save_file

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "tiny-gpt2"
CONFIG = {
    "architectures": ["GPT2LMHeadModel"],
    "model_type": "gpt2",
    "activation_function": "gelu_new",
    "vocab_size": 307,  # odd on purpose: catches layouts that assume a multiple of 8
    "n_positions": 48,
    "n_ctx": 48,
    "n_embd": 32,
    "n_layer": 2,
    "n_head": 4,
    "n_inner": None,
    "layer_norm_epsilon": 1e-5,
    "bos_token_id": 306,
    "eos_token_id": 306,
    "tie_word_embeddings": True,
    "attn_pdrop": 0.0,
    "embd_pdrop": 0.0,
    "resid_pdrop": 0.0,
    "initializer_range": 0.02,
}


def main() -> None:
    rng = np.random.default_rng(1234)
    c, v, p, layers = CONFIG["n_embd"], CONFIG["vocab_size"], CONFIG["n_positions"], CONFIG["n_layer"]

    def w(*shape, std=0.25):
        return (rng.standard_normal(shape) * std).astype(np.float32)

    def gain(n):
        return (1.0 + rng.standard_normal(n) * 0.2).astype(np.float32)

    t = {"transformer.wte.weight": w(v, c, std=0.5), "transformer.wpe.weight": w(p, c, std=0.2)}
    for i in range(layers):
        h = f"transformer.h.{i}."
        t[h + "ln_1.weight"] = gain(c)
        t[h + "ln_1.bias"] = w(c, std=0.1)
        t[h + "attn.c_attn.weight"] = w(c, 3 * c)
        t[h + "attn.c_attn.bias"] = w(3 * c, std=0.1)
        t[h + "attn.c_proj.weight"] = w(c, c)
        t[h + "attn.c_proj.bias"] = w(c, std=0.1)
        t[h + "ln_2.weight"] = gain(c)
        t[h + "ln_2.bias"] = w(c, std=0.1)
        t[h + "mlp.c_fc.weight"] = w(c, 4 * c)
        t[h + "mlp.c_fc.bias"] = w(4 * c, std=0.1)
        t[h + "mlp.c_proj.weight"] = w(4 * c, c, std=0.15)
        t[h + "mlp.c_proj.bias"] = w(c, std=0.1)
    t["transformer.ln_f.weight"] = gain(c)
    t["transformer.ln_f.bias"] = w(c, std=0.1)

    OUT.mkdir(parents=True, exist_ok=True)
    save_file(t, str(OUT / "model.safetensors"), metadata={"format": "pt"})
    (OUT / "config.json").write_text(json.dumps(CONFIG, indent=2) + "\n")
    print(f"wrote {OUT} ({sum(x.size for x in t.values())} parameters)")


if __name__ == "__main__":
    main()
