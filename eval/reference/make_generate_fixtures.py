#!/usr/bin/env python3
"""Write the decoding fixtures: Tests/Fixtures/generate/{synthetic,tiny-gpt2}.json.

Every case runs transformers' own `generate` (greedy, beam search, processors) and records, per prompt, the new
token ids and the score, so the Swift `Decoding` module can be checked against the reference implementation:

* `synthetic.json` — the "model" is a deterministic function of the unpadded token history (`synthetic_logits`
  below), wrapped as a GPT2LMHeadModel whose forward ignores its weights. The Swift tests reimplement the same
  function bit for bit (every logit is a multiple of 2^-19, so float32 and float64 agree exactly), which proves
  the decoding logic without the Swift GPT-2 forward.
* `tiny-gpt2.json` — the real tiny checkpoint (Tests/Fixtures/tiny-gpt2, float32, eager attention); checked once
  the Swift GPT-2 forward conforms to `CausalLanguageModel`.

Each case is run prompt by prompt and again in left-padded batches (pad = eos, explicit attention mask, which is
what transformers needs when pad == eos). Scores: beam search records `sequences_scores`; greedy records the sum
of log-softmax(processed scores) at the chosen tokens (`compute_transition_scores(normalize_logits=True)`),
EOS included.

Exact ties between logits would make torch.topk's (unspecified) order decide; the script counts rows whose top
logits contain an exact tie and refuses to write the synthetic fixture if there are any.

* `processors.json` — transformers' processor list (`_get_logits_processor`) applied to random score rows with
  padded histories: each processor alone, the full sampling chain, and warpers with `min_tokens_to_keep > 1`.

    ../venv/bin/python eval/reference/make_generate_fixtures.py [--processors-only]
"""
import json
import pathlib
import sys

import numpy as np
import torch
import transformers
from transformers import GPT2Config, GPT2LMHeadModel
from transformers.modeling_outputs import CausalLMOutputWithPast

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "Fixtures" / "generate"
MASK = 0xFFFFFFFF

# ----------------------------------------------------------------------------------------------------------------
# The synthetic model (mirrored in Tests/DecodingTests/SyntheticModel.swift — change both or neither).
SYN_VOCAB = 50
SYN_EOS = 49
SYN_POSITIONS = 64


def mix32(x: np.ndarray) -> np.ndarray:
    """murmur3's 32-bit finalizer, elementwise on uint64 arrays holding 32-bit values."""
    x = x & MASK
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & MASK
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & MASK
    x ^= x >> 16
    return x


def unit18(x: np.ndarray) -> np.ndarray:
    """A hash in [0, 1) on the 2^-18 grid (exact in float32)."""
    return (mix32(x) >> 14).astype(np.float64) / 262144.0


def synthetic_logits(tokens: list[int]) -> np.ndarray:
    """Logits for the next token after `tokens` (unpadded history, len >= 1).

    A table indexed by the last token, a position term, a term hashed from the whole history, and an EOS bias that
    grows with the length, so some sequences stop early and others run to max length. Every term sits on the 2^-19
    grid and every partial sum stays below 8 in magnitude, so all of it is exact in float32 (and in float64).
    """
    n = len(tokens)
    h = 2166136261
    for t in tokens:  # FNV-1a over the token ids
        h = ((h ^ t) * 16777619) & MASK
    v = np.arange(SYN_VOCAB, dtype=np.uint64)
    a = unit18(np.uint64(tokens[-1] * 1315423911 & MASK) + v) * 8.0 - 4.0
    b = unit18(np.uint64(0x9E3779B9) ^ ((np.uint64(n * 2654435761 & MASK) + v) & MASK)) * 2.0 - 1.0
    c = unit18(np.uint64(h) + v * np.uint64(40503)) * 0.5
    out = (a + b) + c
    out[SYN_EOS] += n * 0.125 - 2.5
    return out.astype(np.float32)


class SyntheticLM(GPT2LMHeadModel):
    """generate()-compatible wrapper: forward returns synthetic logits for the last position of each row."""

    tie_rows = 0

    def forward(self, input_ids=None, attention_mask=None, **kwargs):
        rows = []
        for i in range(input_ids.shape[0]):
            ids = input_ids[i].tolist()
            if attention_mask is not None:
                ids = [t for t, m in zip(ids, attention_mask[i].tolist()) if m]
            row = synthetic_logits(ids)
            top = np.sort(row)[-12:]
            if len(np.unique(top)) < len(top):
                SyntheticLM.tie_rows += 1
            rows.append(row)
        logits = torch.from_numpy(np.stack(rows))[:, None, :]
        return CausalLMOutputWithPast(logits=logits)


def synthetic_model() -> SyntheticLM:
    config = GPT2Config(vocab_size=SYN_VOCAB, n_positions=SYN_POSITIONS, n_embd=8, n_layer=1, n_head=1,
                        bos_token_id=SYN_EOS, eos_token_id=SYN_EOS)
    return SyntheticLM(config).eval()


def tiny_gpt2():
    return GPT2LMHeadModel.from_pretrained(ROOT / "Tests" / "Fixtures" / "tiny-gpt2", attn_implementation="eager",
                                           dtype=torch.float32).eval()


# ----------------------------------------------------------------------------------------------------------------
def run(model, prompts: list[list[int]], params: dict, use_cache: bool) -> list[list[dict]]:
    """One generate() call on a left-padded batch; returns, per prompt, its returned sequences. eos_token_id may
    be a list: a sequence ends at any of them."""
    pad = params["pad_token_id"]
    eos = params["eos_token_id"]
    eos_set = set(eos) if isinstance(eos, list) else {eos}
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    with torch.no_grad():
        out = model.generate(ids, attention_mask=mask, return_dict_in_generate=True, output_scores=True,
                             use_cache=use_cache, **params)
    n_ret = params.get("num_return_sequences", 1)
    beams = params.get("num_beams", 1)
    new = out.sequences[:, width:].tolist()
    results = []
    if beams > 1:
        lengths = (out.beam_indices >= 0).sum(dim=1).tolist()
        scores = out.sequences_scores.tolist()
        for i in range(len(prompts)):
            row = []
            for j in range(n_ret):
                k = i * n_ret + j
                toks = new[k][: lengths[k]]
                ended = bool(toks) and toks[-1] in eos_set
                row.append({"tokens": toks[:-1] if ended else toks, "ended_with_eos": ended, "score": scores[k]})
            results.append(row)
    else:
        logp = [torch.log_softmax(s.double(), dim=-1) for s in out.scores]
        for i in range(len(prompts)):
            toks, total, ended = [], 0.0, False
            for t, tok in enumerate(new[i]):
                total += logp[t][i, tok].item()
                if tok in eos_set:
                    ended = True
                    break
                toks.append(tok)
            results.append([{"tokens": toks, "ended_with_eos": ended, "score": total}])
    return results


def run_case(model, prompts, name, params, use_cache, batch_size=5) -> dict:
    single = [run(model, [p], params, use_cache)[0] for p in prompts]
    batches = []
    for start in range(0, len(prompts), batch_size):
        group = prompts[start:start + batch_size]
        batches.append({"prompts": group, "outputs": run(model, group, params, use_cache)})
    ended = sum(r["ended_with_eos"] for rows in single for r in rows)
    print(f"  {name:28s} {ended:3d}/{sum(len(r) for r in single)} sequences ended with EOS")
    return {"name": name, "parameters": params,
            "single": [{"prompts": [p], "outputs": [o]} for p, o in zip(prompts, single)], "batched": batches}


def cases(eos: int, vocab: int, greedy_outputs) -> list[tuple[str, dict]]:
    """The decoding settings each model is run with; bad words are picked from what plain greedy produced, so the
    ban actually changes the output."""
    base = {"eos_token_id": eos, "pad_token_id": eos}
    counts = np.bincount([t for rows in greedy_outputs for r in rows for t in r["tokens"]], minlength=vocab)
    frequent = [int(t) for t in np.argsort(-counts, kind="stable")[:2]]
    bigram = next(r["tokens"][:2] for rows in greedy_outputs for r in rows if len(r["tokens"]) >= 2)
    trigram = next(r["tokens"][1:4] for rows in greedy_outputs[3:] for r in rows if len(r["tokens"]) >= 4)
    bad = [[frequent[0]], [frequent[1]], bigram, trigram]
    return [
        ("greedy", {**base, "max_new_tokens": 24}),
        ("greedy_repetition_1.3", {**base, "max_new_tokens": 24, "repetition_penalty": 1.3}),
        ("greedy_bad_words", {**base, "max_new_tokens": 20, "bad_words_ids": bad}),
        ("greedy_min_new_8", {**base, "max_new_tokens": 16, "min_new_tokens": 8}),
        ("greedy_no_repeat_2", {**base, "max_new_tokens": 20, "no_repeat_ngram_size": 2}),
        ("beam4_lp0.8_ngram3", {**base, "max_new_tokens": 20, "num_beams": 4, "length_penalty": 0.8,
                                "no_repeat_ngram_size": 3}),
        ("beam5_min_new_6", {**base, "max_new_tokens": 16, "num_beams": 5, "min_new_tokens": 6}),
        ("beam4_return3", {**base, "max_new_tokens": 18, "num_beams": 4, "num_return_sequences": 3}),
        ("beam3_early_true", {**base, "max_new_tokens": 18, "num_beams": 3, "early_stopping": True,
                              "num_return_sequences": 2}),
        ("beam4_early_never_lp1.5", {**base, "max_new_tokens": 18, "num_beams": 4, "early_stopping": "never",
                                     "length_penalty": 1.5, "num_return_sequences": 4}),
        ("beam4_early_never_lp-0.5", {**base, "max_new_tokens": 18, "num_beams": 4, "early_stopping": "never",
                                      "length_penalty": -0.5}),
        ("beam5_lilang_like", {**base, "max_new_tokens": 20, "num_beams": 5, "min_length": 5,
                               "bad_words_ids": [[frequent[0]], [frequent[1]]]}),
        ("beam4_repetition_1.2", {**base, "max_new_tokens": 16, "num_beams": 4, "repetition_penalty": 1.2}),
    ]


def build(model, label: str, vocab: int, eos: int, positions: int, use_cache: bool, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    lengths = [1, 2, 3, 12] + [int(x) for x in rng.integers(1, 13, size=18)]
    prompts = [[int(t) for t in rng.integers(0, eos, size=n)] for n in lengths]  # no EOS inside prompts
    print(f"{label}: {len(prompts)} prompts, lengths {lengths}")
    greedy = [run(model, [p], {"eos_token_id": eos, "pad_token_id": eos, "max_new_tokens": 24}, use_cache)[0]
              for p in prompts]
    out_cases = [run_case(model, prompts, name, params, use_cache) for name, params in cases(eos, vocab, greedy)]
    if label == "tiny-gpt2":
        # The random tiny model almost never emits its real EOS (306); make a token it does emit the EOS (and pad)
        # so early stopping is exercised on the real forward as well.
        counts = np.bincount([t for rows in greedy for r in rows for t in r["tokens"]], minlength=vocab)
        stop = int(np.argsort(-counts, kind="stable")[2])
        for name, params in [("greedy_eos_frequent", {"max_new_tokens": 24}),
                             ("beam4_eos_frequent", {"max_new_tokens": 20, "num_beams": 4,
                                                     "num_return_sequences": 2})]:
            safe = [[t for t in p if t != stop] or [0] for p in prompts]
            out_cases.append(run_case(model, safe, name, {**params, "eos_token_id": stop, "pad_token_id": stop},
                                      use_cache))
    return {
        "generator": "eval/reference/make_generate_fixtures.py",
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__.split("+")[0],
        "model": label, "vocab_size": vocab, "eos_token_id": eos, "max_positions": positions,
        "cases": out_cases,
    }


# ----------------------------------------------------------------------------------------------------------------
def processor_cases(model) -> dict:
    """transformers' own processor list (`_get_logits_processor`, so also its order) applied to random score rows
    with padded histories; plus two warpers built directly with `min_tokens_to_keep > 1`."""
    rng = np.random.default_rng(5)
    vocab, eos, width, generated, rows = SYN_VOCAB, SYN_EOS, 8, 5, 6
    paddings = [0, 3, 7, 1, 0, 5]
    histories, masks = [], []
    for pad in paddings:
        prompt = [int(t) for t in rng.integers(0, 8, size=width - pad)]
        histories.append([eos] * pad + prompt + [int(t) for t in rng.integers(0, 8, size=generated)])
        masks.append([0] * pad + [1] * (width - pad + generated))
    histories[3][-2:] = [2, 3]  # rows ending with the prefixes of the multi-token bad words below
    histories[4][-1:] = [4]
    ids = torch.tensor(histories)
    smooth = (rng.standard_normal((rows, vocab)) * 2).astype(np.float32)
    coarse = np.round(rng.standard_normal((rows, vocab)) * 4).astype(np.float32) / 4  # many exact ties
    settings = [
        ("repetition_1.3", {"repetition_penalty": 1.3}, coarse),
        ("repetition_0.7", {"repetition_penalty": 0.7}, smooth),
        ("no_repeat_1", {"no_repeat_ngram_size": 1}, smooth),
        ("no_repeat_2", {"no_repeat_ngram_size": 2}, smooth),
        ("no_repeat_3", {"no_repeat_ngram_size": 3}, smooth),
        ("bad_words", {"bad_words_ids": [[7], [2, 3, 5], [4, 6], [eos], [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]]},
         smooth),
        ("min_length_14", {"min_length": 14}, smooth),
        ("min_length_13", {"min_length": 13}, smooth),
        ("min_new_6", {"min_new_tokens": 6}, smooth),
        ("min_new_5", {"min_new_tokens": 5}, smooth),
        ("temperature_0.7", {"do_sample": True, "temperature": 0.7, "top_k": 0}, smooth),
        ("top_k_1", {"do_sample": True, "top_k": 1}, coarse),
        ("top_k_7_ties", {"do_sample": True, "top_k": 7}, coarse),
        ("top_k_50", {"do_sample": True, "top_k": 50}, smooth),
        ("top_p_0.1", {"do_sample": True, "top_k": 0, "top_p": 0.1}, smooth),
        ("top_p_0.5", {"do_sample": True, "top_k": 0, "top_p": 0.5}, smooth),
        ("top_p_0.95", {"do_sample": True, "top_k": 0, "top_p": 0.95}, smooth),
        ("chain_all", {"do_sample": True, "temperature": 0.8, "top_k": 12, "top_p": 0.9, "repetition_penalty": 1.2,
                       "no_repeat_ngram_size": 2, "bad_words_ids": [[7], [2, 3, 5]], "min_new_tokens": 9}, smooth),
    ]
    out = []
    for name, params, scores in settings:
        config = transformers.GenerationConfig(eos_token_id=eos, pad_token_id=eos, **params)
        model._prepare_special_tokens(config, device="cpu")
        processors = model._get_logits_processor(
            generation_config=config, input_ids_seq_length=width, encoder_input_ids=ids[:, :width], device="cpu",
            model_kwargs={"attention_mask": torch.tensor(masks)})
        result = processors(ids, torch.from_numpy(scores.copy())).numpy()
        out.append({"name": name, "parameters": {"eos_token_id": eos, "pad_token_id": eos, **params},
                    "processors": [type(p).__name__ for p in processors],
                    "scores": scores.tolist(), "expected": encode_scores(result)})
    direct = [("top_k_3_keep_5", transformers.TopKLogitsWarper(top_k=3, min_tokens_to_keep=5), coarse),
              ("top_p_0.2_keep_4", transformers.TopPLogitsWarper(top_p=0.2, min_tokens_to_keep=4), smooth)]
    warpers = [{"name": name, "k": getattr(w, "top_k", None), "p": getattr(w, "top_p", None),
                "min_tokens_to_keep": w.min_tokens_to_keep, "scores": scores.tolist(),
                "expected": encode_scores(w(ids, torch.from_numpy(scores.copy())).numpy())}
               for name, w, scores in direct]
    return {"generator": "eval/reference/make_generate_fixtures.py", "transformers_version": transformers.__version__,
            "vocab_size": vocab, "prompt_width": width, "paddings": paddings, "histories": histories,
            "cases": out, "warpers": warpers}


def encode_scores(scores: np.ndarray) -> list:
    """float32 rows for JSON, -inf as null."""
    return [[None if x == -np.inf else float(x) for x in row] for row in scores]


def write(name: str, data: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")


def main() -> None:
    torch.manual_seed(0)
    write("processors.json", processor_cases(synthetic_model()))
    if "--processors-only" in sys.argv:
        return
    syn = build(synthetic_model(), "synthetic", SYN_VOCAB, SYN_EOS, SYN_POSITIONS, use_cache=False, seed=7)
    if SyntheticLM.tie_rows:
        raise SystemExit(f"{SyntheticLM.tie_rows} synthetic rows had exact ties among their top logits")
    write("synthetic.json", syn)
    write("tiny-gpt2.json", build(tiny_gpt2(), "tiny-gpt2", 307, 306, 48, use_cache=True, seed=11))


if __name__ == "__main__":
    main()
