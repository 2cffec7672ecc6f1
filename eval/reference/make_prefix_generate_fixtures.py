#!/usr/bin/env python3
"""Write Tests/Fixtures/generate-prefix/: decoding with adapters on Tests/Fixtures/tiny-gpt2 (PEFT 0.21.2,
transformers 5.23), so `lntune generate`'s model + adapter path is checked against Python.

* `prefix-adapter/` — a PREFIX_TUNING adapter (4 virtual tokens, no projection) with random key/values, written by
  PEFT's `save_pretrained`.
* `ln-adapter/` — an LN_TUNING adapter over every LayerNorm, perturbed away from the base, written by PEFT.
* `tiny-bpe-gpt2/` — a random GPT-2 (2 layers, 32 wide, 128 positions) whose vocabulary is Tests/Fixtures/tiny-bpe's
  (674 tokens, `<|endoftext|>` = 673), so the Swift pipeline tests can run real text through tokenizer, template,
  model and decoder.
* `expected.json` — per case, prompts and the new token ids (EOS excluded) of greedy and beam search.

Why not PEFT's `generate`: with PEFT 0.21 and transformers 5, prefix-tuning `generate()` with the KV cache
silently drops the prefix. The reference here is therefore a GPT2LMHeadModel subclass whose forward *recomputes
the whole sequence every step* from a `DynamicCache` seeded with the prefix key/values (PEFT's `get_prompt`), with
the prefix attended by every row and positions of real tokens starting at P (what PEFT's forward does for an
unpadded row). transformers' own `generate(use_cache=False)` drives it, so greedy and beam search are transformers'
code; an explicit greedy loop over PEFT's forward (no generate at all) must give the same ids, and is checked.

Left-padded batches: pads are masked out and positions count real tokens only (cumsum(mask) - 1 + P), which is
the convention the Swift `CausalLanguageModel` documents.

    ../venv/bin/python eval/reference/make_prefix_generate_fixtures.py
"""
import json
import pathlib
import shutil
import warnings

import torch
from transformers import DynamicCache, GPT2LMHeadModel

ROOT = pathlib.Path(__file__).resolve().parents[2]
TINY = ROOT / "Tests" / "Fixtures" / "tiny-gpt2"
OUT = ROOT / "Tests" / "Fixtures" / "generate-prefix"
EOS = 306
P = 4
MAX_NEW = 12

warnings.filterwarnings("ignore")


def base() -> GPT2LMHeadModel:
    return GPT2LMHeadModel.from_pretrained(TINY, dtype=torch.float32, attn_implementation="eager").eval()


class Prefixed(GPT2LMHeadModel):
    """Recomputes everything each call with the prefix seeded into a fresh cache (no incremental cache)."""

    prefix = None  # per layer (keys [1, H, P, D], values [1, H, P, D])

    def forward(self, input_ids=None, attention_mask=None, past_key_values=None, use_cache=None, **kwargs):
        b, t = input_ids.shape
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        cache = DynamicCache()
        for layer, (k, v) in enumerate(self.prefix):
            cache.update(k.expand(b, -1, -1, -1).clone(), v.expand(b, -1, -1, -1).clone(), layer)
        positions = (attention_mask.long().cumsum(-1) - 1).clamp(min=0) + P
        mask = torch.cat([torch.ones(b, P, dtype=attention_mask.dtype), attention_mask], dim=1)
        return super().forward(
            input_ids=input_ids, attention_mask=mask, position_ids=positions, past_key_values=cache, use_cache=False,
            **{k: v for k, v in kwargs.items() if k in ("return_dict",)})


def prompts():
    g = torch.Generator().manual_seed(7)
    return [torch.randint(0, EOS, (n,), generator=g).tolist() for n in (3, 6, 5, 9)]


def padded(rows):
    width = max(map(len, rows))
    ids = torch.tensor([[EOS] * (width - len(r)) + r for r in rows])
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
    return ids, mask


@torch.no_grad()
def run_generate(model, rows, **kw):
    """New tokens per row (EOS and what follows cut), as transformers' generate on the left-padded batch."""
    ids, mask = padded(rows)
    out = model.generate(
        input_ids=ids, attention_mask=mask, max_new_tokens=MAX_NEW, eos_token_id=EOS, pad_token_id=EOS,
        use_cache=False, do_sample=False, **kw)
    result = []
    for row in out[:, ids.shape[1]:].tolist():
        result.append(row[:row.index(EOS)] if EOS in row else row)
    return result


@torch.no_grad()
def explicit_greedy(forward, prompt):
    """Arg-max loop over a full forward each step: no generate, no cache."""
    tokens = list(prompt)
    new = []
    for _ in range(MAX_NEW):
        logits = forward(torch.tensor([tokens]))[0, -1]
        nxt = int(torch.argmax(logits))
        if nxt == EOS:
            break
        new.append(nxt)
        tokens.append(nxt)
    return new


def write_adapters():
    from peft import LNTuningConfig, PrefixTuningConfig, get_peft_model

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    torch.manual_seed(11)
    prefix_model = get_peft_model(base(), PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=P)).eval()
    with torch.no_grad():  # PEFT starts the direct prefix at N(0, 1); make it larger so it clearly steers
        for n, p in prefix_model.named_parameters():
            if "prompt_encoder" in n:
                p.copy_(torch.randn_like(p) * 2.0)
    ln_model = get_peft_model(base(), LNTuningConfig(task_type="CAUSAL_LM")).eval()
    with torch.no_grad():
        for n, p in ln_model.named_parameters():
            if "ln_tuning_layers" in n:
                p.add_(torch.randn_like(p) * 0.5)
    for name, model in (("prefix-adapter", prefix_model), ("ln-adapter", ln_model)):
        model.peft_config["default"].base_model_name_or_path = "Tests/Fixtures/tiny-gpt2"
        model.save_pretrained(OUT / name)
        (OUT / name / "README.md").unlink(missing_ok=True)
    return prefix_model, ln_model


def write_pipeline_model() -> None:
    from transformers import GPT2Config

    torch.manual_seed(5)
    config = GPT2Config(vocab_size=674, n_positions=128, n_embd=32, n_layer=2, n_head=4, bos_token_id=673,
                        eos_token_id=673, attn_pdrop=0.0, embd_pdrop=0.0, resid_pdrop=0.0)
    GPT2LMHeadModel(config).save_pretrained(OUT / "tiny-bpe-gpt2", safe_serialization=True)
    (OUT / "tiny-bpe-gpt2" / "generation_config.json").unlink(missing_ok=True)


def main() -> None:
    from peft import PeftModel

    write_adapters()
    write_pipeline_model()
    prefix_model = PeftModel.from_pretrained(base(), OUT / "prefix-adapter").eval()
    ln_model = PeftModel.from_pretrained(base(), OUT / "ln-adapter").eval()
    rows = prompts()

    # The prefix as PEFT builds it: get_prompt(1) is per layer (keys, values) [1, H, P, D].
    prefixed = Prefixed.from_pretrained(TINY, dtype=torch.float32, attn_implementation="eager").eval()
    with torch.no_grad():
        cache = prefix_model.get_prompt(batch_size=1)
        if isinstance(cache, DynamicCache):
            prefixed.prefix = [(cache.layers[i].keys, cache.layers[i].values) for i in range(len(cache.layers))]
        else:
            prefixed.prefix = [(k, v) for k, v in cache]
    assert prefixed.prefix[0][0].shape[2] == P

    cases = {}
    greedy = [run_generate(prefixed, [r])[0] for r in rows]
    # Cross-checks: PEFT's own forward (prefix via get_prompt, its positions) in an explicit loop; the batch.
    peft_greedy = [explicit_greedy(lambda x: prefix_model(input_ids=x).logits, r) for r in rows]
    assert greedy == peft_greedy, f"reference loop {greedy} != PEFT forward {peft_greedy}"
    assert run_generate(prefixed, rows) == greedy, "left-padded batch differs from one prompt at a time"
    plain = [explicit_greedy(lambda x: base()(input_ids=x).logits, r) for r in rows]
    assert plain != greedy, "the prefix does not change greedy outputs"
    cases["prefix-greedy"] = {"adapter": "prefix-adapter", "num_beams": 1, "expected": greedy}
    beams = run_generate(prefixed, rows, num_beams=3)
    assert beams == [run_generate(prefixed, [r], num_beams=3)[0] for r in rows]
    cases["prefix-beam3"] = {"adapter": "prefix-adapter", "num_beams": 3, "expected": beams}

    ln_greedy = run_generate(ln_model, rows)
    assert ln_greedy == [explicit_greedy(lambda x: ln_model(input_ids=x).logits, r) for r in rows]
    assert ln_greedy != plain, "the LN adapter does not change greedy outputs"
    cases["ln-greedy"] = {"adapter": "ln-adapter", "num_beams": 1, "expected": ln_greedy}
    cases["base-greedy"] = {"adapter": None, "num_beams": 1, "expected": plain}

    doc = {"model": "tiny-gpt2", "eos_token_id": EOS, "max_new_tokens": MAX_NEW, "prefix_length": P,
           "prompts": rows, "cases": cases}
    (OUT / "expected.json").write_text(json.dumps(doc, indent=1) + "\n")
    for name, case in cases.items():
        print(name, case["expected"])


if __name__ == "__main__":
    main()
