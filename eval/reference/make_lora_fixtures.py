#!/usr/bin/env python3
"""LoRA parity fixtures on Tests/Fixtures/tiny-gpt2 (PEFT 0.21.2, transformers 5.23), in Tests/Fixtures/lora/.

1. PEFT → LNTune. `from-peft/lora` (r 4, alpha 8, c_attn) and `from-peft/lora-all` (r 2, alpha 5 — a scaling of
   2.5 — on c_attn, c_proj and c_fc, i.e. every block Linear, lora_dropout 0.1), written by PEFT's
   `save_pretrained` with A and B moved away from PEFT's initialisation (B is zero there), and in
   `expected.json`, on one right-padded batch:
     logits      at the real positions, with each adapter (and the base model under "base")
     loss        transformers' mean causal-LM loss, and the autograd gradient of every LoRA matrix
     generate    new token ids (EOS cut) of greedy and 3-beam search with the KV cache (use_cache=True) on a
                 left-padded batch of prompts; the same ids without the cache are checked here
   and in `training.json`, two optimizer steps (each two micro-batches, token-mean, clipping, AdamW with HF
   Trainer's decay groups, a linear schedule) of `lora` and of `lora+ln` (the LayerNorms of the same PEFT model
   set trainable), through make_tuning_fixtures.py's `train`.

2. LNTune → PEFT. Loads the adapters a Swift test wrote into `from-lntune/`
   (`LNTUNE_WRITE_ADAPTER_FIXTURES=1 swift test --filter writeLoRAAdapterFixtures`) with stock tools, checks that
   PEFT wrapped exactly the targeted modules with the file's values, and records their logits into
   `from-lntune/expected.json`:
     lora, lora-all   PeftModel.from_pretrained(base, DIR)
     lora-ln          PeftModel.from_pretrained(base, DIR/ln).merge_and_unload(), then
                      PeftModel.from_pretrained(merged, DIR/lora)
     merged-lora      GPT2LMHeadModel.from_pretrained(DIR) (`lntune merge`): the same logits as `lora` loaded by
                      PEFT, and as PEFT's own merge_and_unload of it

3. The trainable-parameter line PEFT prints for LoRA on GPT-2 small and medium (config-only models on the meta
   device, no weights), for the defaults and for every block Linear, alone and with LN-Tuning's LayerNorms:
   `parameter-counts.json`.

    ../venv/bin/python eval/reference/make_lora_fixtures.py            # all three parts
    ../venv/bin/python eval/reference/make_lora_fixtures.py --peft-only
"""
import argparse
import json
import shutil
import warnings

import torch
from safetensors.torch import load_file

from make_prefix_generate_fixtures import padded as left_padded
from make_tuning_fixtures import lntune_name, train
from tuning_common import FIXTURES, floats, load_tiny, write

OUT = FIXTURES / "lora"
EOS = 306
MAX_NEW = 12
CONFIGS = {
    "lora": dict(r=4, lora_alpha=8, target_modules=["c_attn"]),
    "lora-all": dict(r=2, lora_alpha=5, target_modules=["c_attn", "c_fc", "c_proj"], lora_dropout=0.1),
}
LN_ALL = {"terms": ["gain", "bias"], "modules": ["attn", "mlp", "final"], "layers": None}

warnings.filterwarnings("ignore")


def lora_model(name: str, seed: int):
    """The tiny model with PEFT LoRA, A and B drawn N(0, 0.3²) (B is zero at PEFT's initialisation)."""
    from peft import LoraConfig, get_peft_model
    config = LoraConfig(task_type="CAUSAL_LM", fan_in_fan_out=True, **CONFIGS[name])
    model = get_peft_model(load_tiny(), config).eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "lora_" in n:
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    return model


def lntune_method(name: str, ln: bool) -> dict:
    """The LNTune method of a training case. Dropout 0: the PEFT model runs in eval mode, lora_dropout off."""
    c = CONFIGS[name]
    lora = {"r": c["r"], "alpha": c["lora_alpha"], "dropout": 0.0, "targets": c["target_modules"]}
    return {"method": "lora+ln", "lora": lora, "ln": LN_ALL} if ln else {"method": "lora", "lora": lora}


def right_padded_batch():
    g = torch.Generator().manual_seed(31)
    rows = [torch.randint(0, EOS, (n,), generator=g).tolist() for n in (7, 4)]
    t = max(map(len, rows))
    ids = torch.tensor([r + [0] * (t - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (t - len(r)) for r in rows])
    labels = torch.where(mask == 1, ids, torch.full_like(ids, -100))
    labels[:, 0] = -100
    return ids, mask, labels


@torch.no_grad()
def generate(model, rows, beams: int, use_cache: bool):
    ids, mask = left_padded(rows)
    out = model.generate(
        input_ids=ids, attention_mask=mask, max_new_tokens=MAX_NEW, eos_token_id=EOS, pad_token_id=EOS,
        num_beams=beams, do_sample=False, use_cache=use_cache)
    return [row[:row.index(EOS)] if EOS in row else row for row in out[:, ids.shape[1]:].tolist()]


def stable_target_modules(path) -> None:
    """PEFT stores target_modules from a set, whose order changes from run to run: sort it."""
    config = json.loads(path.read_text())
    if isinstance(config.get("target_modules"), list):
        config["target_modules"] = sorted(config["target_modules"])
        path.write_text(json.dumps(config, indent=2, sort_keys=True))


# ------------------------------------------------------------------------------------------------ PEFT → LNTune

def peft_to_lntune() -> None:
    from peft import PeftModel

    out = OUT / "from-peft"
    shutil.rmtree(out, ignore_errors=True)
    ids, mask, labels = right_padded_batch()
    real = mask.reshape(-1).nonzero().reshape(-1).tolist()
    g = torch.Generator().manual_seed(7)
    prompts = [torch.randint(0, EOS, (n,), generator=g).tolist() for n in (3, 6, 5, 9)]
    with torch.no_grad():
        base = load_tiny()(input_ids=ids, attention_mask=mask).logits.reshape(-1, 307)[real]
    expected = {"batch": {"batch_size": 2, "length": ids.shape[1], "tokens": ids.reshape(-1).tolist(),
                          "mask": mask.reshape(-1).tolist(), "labels": labels.reshape(-1).tolist()},
                "logit_positions": real, "base": floats(base), "prompts": prompts, "max_new_tokens": MAX_NEW,
                "eos_token_id": EOS, "adapters": {}}
    for seed, name in enumerate(CONFIGS, start=40):
        model = lora_model(name, seed)
        model.peft_config["default"].base_model_name_or_path = "Tests/Fixtures/tiny-gpt2"
        model.save_pretrained(out / name)
        (out / name / "README.md").unlink(missing_ok=True)
        stable_target_modules(out / name / "adapter_config.json")
        model = PeftModel.from_pretrained(load_tiny(), out / name).eval()
        for n, p in model.named_parameters():
            p.requires_grad_("lora_" in n)
        result = model(input_ids=ids, attention_mask=mask, labels=labels)
        result.loss.backward()
        logits = result.logits.reshape(-1, 307)[real]
        assert (logits - base).abs().max() > 1e-3, f"{name} does not change the logits"
        cases = {}
        for beams in (1, 3):
            cached = generate(model, prompts, beams, use_cache=True)
            assert cached == generate(model, prompts, beams, use_cache=False), f"{name}: the cache changes the ids"
            cases["greedy" if beams == 1 else f"beam{beams}"] = {"num_beams": beams, "expected": cached}
        expected["adapters"][name] = {
            "logits": floats(logits), "loss": float(result.loss),
            "gradients": {lntune_name(n): floats(p.grad) for n, p in model.named_parameters() if p.requires_grad},
            "generate": cases}
        print(f"  {name}: loss {float(result.loss):.5f}, greedy {cases['greedy']['expected'][0]}")
    write(out / "expected.json", expected)


def training_case(name: str, ln: bool, seed: int) -> dict:
    """Two optimizer steps of LoRA (and the LayerNorms with `ln`), through make_tuning_fixtures.train."""
    net = lora_model(name, seed)
    for n, p in net.named_parameters():
        p.requires_grad_("lora_" in n or (ln and (".ln_" in n)))
    spec = {"name": name + ("+ln" if ln else ""), "method": lntune_method(name, ln), "max_grad_norm": 1.0,
            "objective": {"reduction": "token-mean", "labelSmoothing": 0.0, "ignoreIndex": -100},
            "optimizer": {"algorithm": "adamw", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "momentum": 0.0,
                          "weightDecay": 0.05, "decayScope": "hf"},
            "schedule": {"peak": 5e-3, "shape": "linear", "warmupSteps": 0, "totalSteps": 4},
            "micro_batch_lengths": [[[9, 6], [7]], [[8, 8, 5], [4, 6]]]}
    case = train(net, spec, torch.Generator().manual_seed(5))
    print(f"  training {spec['name']}: losses {[round(s['loss'], 5) for s in case['steps']]}")
    return case


# ------------------------------------------------------------------------------------------------ LNTune → PEFT

def check_lora_modules(model, directory, wanted: set) -> None:
    """PEFT wrapped exactly `wanted` (names under transformer.) and holds the file's A and B."""
    wrapped = {n.removeprefix("base_model.model.transformer.") for n, m in model.named_modules()
               if type(m).__name__ == "Linear" and hasattr(m, "lora_A")}
    assert wrapped == wanted, f"{directory.name}: PEFT wrapped {sorted(wrapped)}, expected {sorted(wanted)}"
    params = dict(model.named_parameters())
    for key, value in load_file(directory / "adapter_model.safetensors").items():
        live = params[key.replace(".weight", ".default.weight")]
        assert torch.equal(live, value), f"{directory.name}: {key} not loaded"


@torch.no_grad()
def lntune_to_peft() -> None:
    from peft import PeftConfig, PeftModel
    from transformers import GPT2LMHeadModel

    src = OUT / "from-lntune"
    names = ("lora", "lora-all", "lora-ln", "merged-lora")
    missing = [d for d in names if not (src / d).is_dir()]
    if missing:
        raise SystemExit(f"{src} lacks {missing}: run LNTUNE_WRITE_ADAPTER_FIXTURES=1 swift test --filter"
                         " writeLoRAAdapterFixtures first")
    ids, mask, _ = right_padded_batch()
    real = mask.reshape(-1).nonzero().reshape(-1).tolist()

    def logits(model):
        return model(input_ids=ids, attention_mask=mask).logits.reshape(-1, 307)[real]

    reference = logits(load_tiny())
    expected = {}
    layers = range(2)
    wanted = {"lora": {f"h.{i}.attn.c_attn" for i in layers},
              "lora-all": {f"h.{i}.{m}" for i in layers for m in ("attn.c_attn", "attn.c_proj", "mlp.c_fc",
                                                                 "mlp.c_proj")}}
    for name in ("lora", "lora-all"):
        config = PeftConfig.from_pretrained(src / name)  # the extra "lntune" key is dropped with a warning
        assert config.inference_mode and config.task_type == "CAUSAL_LM" and config.fan_in_fan_out
        model = PeftModel.from_pretrained(load_tiny(), src / name).eval()
        check_lora_modules(model, src / name, wanted[name])
        expected[name] = logits(model)
    merged = PeftModel.from_pretrained(load_tiny(), src / "lora-ln" / "ln").merge_and_unload()
    expected["lora-ln"] = logits(PeftModel.from_pretrained(merged, src / "lora-ln" / "lora").eval())
    got = logits(GPT2LMHeadModel.from_pretrained(src / "merged-lora").eval())
    peft_merged = logits(PeftModel.from_pretrained(load_tiny(), src / "lora").merge_and_unload())
    assert torch.allclose(got, expected["lora"], atol=1e-5), "merged-lora differs from the lora adapter"
    assert torch.allclose(got, peft_merged, atol=1e-5), "merged-lora differs from PEFT's merge_and_unload"
    expected["merged-lora"] = got
    for name, value in expected.items():
        diff = float((value - reference).abs().max())
        assert diff > 1e-3, f"{name} does not change the logits"
        print(f"  {name}: loaded, max |logit change| vs base {diff:.4f}")
    write(src / "expected.json", {k: floats(v) for k, v in expected.items()})


# ------------------------------------------------------------------------------------------------ counts

def parameter_counts() -> dict:
    """PEFT's trainable/all counts (`get_nb_trainable_parameters`, what print_trainable_parameters prints)."""
    from peft import LoraConfig, get_peft_model
    from transformers import GPT2Config, GPT2LMHeadModel

    counts = {}
    for size, shape in (("small", dict()), ("medium", dict(n_embd=1024, n_layer=24, n_head=16))):
        for label, targets in (("c_attn", ["c_attn"]), ("all", ["c_attn", "c_proj", "c_fc"])):
            for ln in (False, True):
                with torch.device("meta"):
                    base = GPT2LMHeadModel(GPT2Config(**shape))
                model = get_peft_model(base, LoraConfig(task_type="CAUSAL_LM", fan_in_fan_out=True,
                                                        target_modules=targets))
                if ln:
                    for n, p in model.named_parameters():
                        if ".ln_" in n:
                            p.requires_grad_(True)
                trainable, total = model.get_nb_trainable_parameters()
                key = f"{size}/{label}" + ("+ln" if ln else "")
                counts[key] = {"targets": targets, "ln": ln, "trainable": trainable, "all": total}
                print(f"  {key}: trainable params: {trainable:,} || all params: {total:,}"
                      f" || trainable%: {100 * trainable / total:.4f}")
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--peft-only", action="store_true", help="parts 1 and 3 (no Swift-written adapters needed)")
    args = parser.parse_args()
    peft_to_lntune()
    write(OUT / "training.json", [training_case("lora", False, 50), training_case("lora-all", True, 51)])
    write(OUT / "parameter-counts.json", parameter_counts())
    if not args.peft_only:
        lntune_to_peft()
