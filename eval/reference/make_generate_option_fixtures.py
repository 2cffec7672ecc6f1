#!/usr/bin/env python3
"""Write the fixtures of the generate options added for issue 17: Tests/Fixtures/generate/options-*.json.

Same method and formats as make_generate_fixtures.py (whose models and helpers this imports):

* `options-processors.json` — transformers' own processor list (`_get_logits_processor`, so also its order) on the
  random score rows and padded histories of processors.json: typical_p, epsilon_cutoff, eta_cutoff,
  sequence_bias, forced_eos_token_id, several eos_token_ids (min_length, min_new_tokens, bad words), the beam
  sampling chain (num_beams > 1 with do_sample, where transformers keeps len(eos) + 1 tokens per warper), and the
  typical / epsilon / eta warpers built directly with `min_tokens_to_keep > 1`. Sampling itself draws from torch's
  generator, which LNTune cannot reproduce, so sampling options are compared here, on the distribution they leave.
* `options-synthetic.json`, `options-tiny-gpt2.json` — `generate` (greedy and beam search) with min_length (total
  length, prompt included), several eos_token_ids, sequence_bias, forced_bos_token_id and forced_eos_token_id;
  prompt by prompt and in left-padded batches.

    ../venv/bin/python eval/reference/make_generate_option_fixtures.py
"""
import pathlib
import sys

import numpy as np
import torch
import transformers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_generate_fixtures as base  # noqa: E402

SYN_EOS = base.SYN_EOS


# ----------------------------------------------------------------------------------------------------------------
def processor_rows():
    """The histories, masks and score rows of processors.json (same generator, same draws)."""
    rng = np.random.default_rng(5)
    vocab, eos, width, generated, rows = base.SYN_VOCAB, SYN_EOS, 8, 5, 6
    paddings = [0, 3, 7, 1, 0, 5]
    histories, masks = [], []
    for pad in paddings:
        prompt = [int(t) for t in rng.integers(0, 8, size=width - pad)]
        histories.append([eos] * pad + prompt + [int(t) for t in rng.integers(0, 8, size=generated)])
        masks.append([0] * pad + [1] * (width - pad + generated))
    histories[3][-2:] = [2, 3]
    histories[4][-1:] = [4]
    smooth = (rng.standard_normal((rows, vocab)) * 2).astype(np.float32)
    return vocab, eos, width, paddings, histories, masks, smooth


def processor_cases(model) -> dict:
    vocab, eos, width, paddings, histories, masks, smooth = processor_rows()
    ids = torch.tensor(histories)
    rng = np.random.default_rng(17)
    peaked = (rng.standard_normal((len(histories), vocab)) * 4).astype(np.float32)  # low entropy rows
    settings = [
        ("typical_0.5", {"do_sample": True, "top_k": 0, "typical_p": 0.5}, smooth),
        ("typical_0.9", {"do_sample": True, "top_k": 0, "typical_p": 0.9}, smooth),
        ("typical_0.2_peaked", {"do_sample": True, "top_k": 0, "typical_p": 0.2}, peaked),
        ("epsilon_0.02", {"do_sample": True, "top_k": 0, "epsilon_cutoff": 0.02}, smooth),
        ("epsilon_0.0003_peaked", {"do_sample": True, "top_k": 0, "epsilon_cutoff": 0.0003}, peaked),
        ("eta_0.02", {"do_sample": True, "top_k": 0, "eta_cutoff": 0.02}, smooth),
        ("eta_0.0009_peaked", {"do_sample": True, "top_k": 0, "eta_cutoff": 0.0009}, peaked),
        ("sequence_bias", {"sequence_bias": [[[7], 2.5], [[2, 3, 5], -1.75], [[4, 6], 3.0], [[3, 6], 0.5],
                                             [[7], -4.0], [[0, 1], 1.25], [[9, 4, 6], 0.75]]}, smooth),
        ("forced_eos_list", {"max_length": width + 6, "max_new_tokens": 6, "forced_eos_token_id": [eos, 3]}, smooth),
        ("forced_eos_not_yet", {"max_length": width + 7, "max_new_tokens": 7, "forced_eos_token_id": eos}, smooth),
        ("forced_bos_not_first", {"forced_bos_token_id": 4}, smooth),
        ("eos_list_min_length", {"eos_token_id": [eos, 7, 2], "min_length": 14}, smooth),
        ("eos_list_min_new", {"eos_token_id": [eos, 7], "min_new_tokens": 6}, smooth),
        ("eos_list_bad_words", {"eos_token_id": [eos, 7], "bad_words_ids": [[7], [2, 3, 5], [4]]}, smooth),
        ("beam_sample_eos_list", {"eos_token_id": [eos, 7], "num_beams": 3, "do_sample": True, "top_k": 1,
                                  "top_p": 0.3, "typical_p": 0.6}, smooth),
        ("beam_sample_one_eos", {"num_beams": 2, "do_sample": True, "top_k": 1, "epsilon_cutoff": 0.9}, smooth),
        ("sample_chain_all", {"do_sample": True, "temperature": 0.9, "top_k": 30, "top_p": 0.95, "typical_p": 0.9,
                              "epsilon_cutoff": 0.002, "eta_cutoff": 0.003, "repetition_penalty": 1.1,
                              "sequence_bias": [[[5], 1.5]], "min_length": 14}, smooth),
    ]
    out = []
    for name, params, scores in settings:
        params = {"eos_token_id": eos, "pad_token_id": eos, **params}
        config = transformers.GenerationConfig(**params)
        model._prepare_special_tokens(config, device="cpu")
        processors = model._get_logits_processor(
            generation_config=config, input_ids_seq_length=width, encoder_input_ids=ids[:, :width], device="cpu",
            model_kwargs={"attention_mask": torch.tensor(masks)})
        result = processors(ids, torch.from_numpy(scores.copy())).numpy()
        removed = int(np.isneginf(result).sum() - np.isneginf(scores).sum())
        print(f"  {name:24s} {[type(p).__name__ for p in processors]} removed {removed}")
        if "max_length" in params:  # LNTune states the length as max_new_tokens (transformers adds the width)
            del params["max_length"]
        out.append({"name": name, "parameters": params, "processors": [type(p).__name__ for p in processors],
                    "scores": scores.tolist(), "expected": base.encode_scores(result)})
    direct = [("typical_0.3_keep_6", transformers.TypicalLogitsWarper(mass=0.3, min_tokens_to_keep=6), smooth),
              ("epsilon_0.05_keep_4", transformers.EpsilonLogitsWarper(epsilon=0.05, min_tokens_to_keep=4), smooth),
              ("eta_0.05_keep_5", transformers.EtaLogitsWarper(epsilon=0.05, min_tokens_to_keep=5), peaked),
              ("top_k_2_keep_3", transformers.TopKLogitsWarper(top_k=2, min_tokens_to_keep=3), smooth)]
    warpers = []
    for name, w, scores in direct:
        value = {"TypicalLogitsWarper": "mass", "EpsilonLogitsWarper": "epsilon", "EtaLogitsWarper": "epsilon",
                 "TopKLogitsWarper": "top_k"}[type(w).__name__]
        v = getattr(w, value)
        warpers.append({"name": name, "class": type(w).__name__, "value": float(v),
                        "min_tokens_to_keep": w.min_tokens_to_keep, "scores": scores.tolist(),
                        "expected": base.encode_scores(w(ids, torch.from_numpy(scores.copy())).numpy())})
    return {"generator": "eval/reference/make_generate_option_fixtures.py",
            "transformers_version": transformers.__version__, "vocab_size": vocab, "prompt_width": width,
            "paddings": paddings, "histories": histories, "cases": out, "warpers": warpers}


def build(model, label, vocab, eos, positions, use_cache, seed) -> dict:
    rng = np.random.default_rng(seed)
    lengths = [1, 1, 2, 3, 12] + [int(x) for x in rng.integers(1, 13, size=15)]
    prompts = [[int(t) for t in rng.integers(0, eos, size=n)] for n in lengths]
    greedy = [base.run(model, [p], {"eos_token_id": eos, "pad_token_id": eos, "max_new_tokens": 16}, use_cache)[0]
              for p in prompts]
    counts = np.bincount([t for rows in greedy for r in rows for t in r["tokens"]], minlength=vocab)
    frequent = [int(t) for t in np.argsort(-counts, kind="stable")[:4]]
    bigram = next(r["tokens"][:2] for rows in greedy for r in rows if len(r["tokens"]) >= 2)
    # Extra EOS ids the model does emit, so that several EOS ids end sequences early; prompts avoid them.
    stops = [eos, frequent[2], frequent[3]]
    safe = [[t for t in p if t not in stops] or [0] for p in prompts]
    b = {"eos_token_id": eos, "pad_token_id": eos}
    multi = {"eos_token_id": stops, "pad_token_id": stops[0]}
    bias = [[[frequent[0]], -3.5], [[frequent[1]], 2.25], [bigram, 4.0], [[frequent[1], frequent[0]], -1.5]]
    cases = [
        ("greedy_min_length_9", prompts, {**multi, "max_new_tokens": 16, "min_length": 9}),
        ("greedy_eos_list", safe, {**multi, "max_new_tokens": 16}),
        ("greedy_sequence_bias", prompts, {**b, "max_new_tokens": 16, "sequence_bias": bias}),
        ("greedy_forced_bos_eos", prompts, {**b, "max_new_tokens": 12, "forced_bos_token_id": frequent[1],
                                            "forced_eos_token_id": eos}),
        ("greedy_forced_eos_list", prompts, {**multi, "max_new_tokens": 10, "forced_eos_token_id": [stops[1], eos]}),
        ("beam4_eos_list_min_length", safe, {**multi, "max_new_tokens": 14, "num_beams": 4, "min_length": 8,
                                             "num_return_sequences": 2}),
        ("beam3_sequence_bias", prompts, {**b, "max_new_tokens": 14, "num_beams": 3, "sequence_bias": bias}),
        ("beam3_forced_bos_eos", prompts, {**b, "max_new_tokens": 10, "num_beams": 3,
                                           "forced_bos_token_id": frequent[0], "forced_eos_token_id": eos}),
    ]
    print(f"{label}: {len(prompts)} prompts, extra EOS ids {stops[1:]}")
    return {"generator": "eval/reference/make_generate_option_fixtures.py",
            "transformers_version": transformers.__version__, "torch_version": torch.__version__.split("+")[0],
            "model": label, "vocab_size": vocab, "eos_token_id": eos, "max_positions": positions,
            "cases": [base.run_case(model, ps, name, params, use_cache) for name, ps, params in cases]}


def main() -> None:
    torch.manual_seed(0)
    base.write("options-processors.json", processor_cases(base.synthetic_model()))
    syn = build(base.synthetic_model(), "synthetic", base.SYN_VOCAB, SYN_EOS, base.SYN_POSITIONS, False, seed=23)
    if base.SyntheticLM.tie_rows:
        raise SystemExit(f"{base.SyntheticLM.tie_rows} synthetic rows had exact ties among their top logits")
    base.write("options-synthetic.json", syn)
    base.write("options-tiny-gpt2.json", build(base.tiny_gpt2(), "tiny-gpt2", 307, 306, 48, True, seed=29))


if __name__ == "__main__":
    main()
