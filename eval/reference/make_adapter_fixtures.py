#!/usr/bin/env python3
"""The PEFT round trip of LNTune's adapter files, on Tests/Fixtures/tiny-gpt2 (PEFT 0.21.2, transformers 5.23).

1. PEFT → LNTune. Writes PEFT adapters into Tests/Fixtures/adapters/from-peft/ — LN_TUNING with every
   LayerNorm (`ln`) and with explicit target modules (`ln-partial`), PREFIX_TUNING with the MLP (`prefix`) and
   without (`prefix-direct`) — with values perturbed away from the base, and the logits PEFT computes after
   loading each one back (`PeftModel.from_pretrained`) into from-peft/expected.json; and per-line summed
   losses of a few token sequences (with and without a leading <|endoftext|>) under the base model and two of
   those adapters into from-peft/perplexity.json (`lntune perplexity`'s scoring).

2. LNTune → PEFT. Checks the adapters a Swift test wrote into Tests/Fixtures/adapters/from-lntune/
   (`LNTUNE_WRITE_ADAPTER_FIXTURES=1 swift test --filter writeAdapterFixtures`) by loading each with stock
   tools, proving every documented recipe, and records their logits into from-lntune/expected.json:
     ln, ln-ablation, prefix, prefix-direct   PeftModel.from_pretrained(base, DIR)
     prefix-ln     PeftModel.from_pretrained(base, DIR/ln).merge_and_unload(), then
                   PeftModel.from_pretrained(merged, DIR/prefix)
     bitfit        base.load_state_dict(load_file(DIR/bitfit.safetensors), strict=False): no unexpected keys,
                   every bias loaded
     full          GPT2LMHeadModel.from_pretrained(DIR)
     merged-ln, merged-bitfit   GPT2LMHeadModel.from_pretrained(DIR) (what `lntune merge` writes): logits equal
                   the PEFT-loaded ln adapter's / the bitfit recipe's
   It also checks that PEFT wrapped exactly the modules LNTune's target_modules name, that the values PEFT
   holds after loading are the file's, and that every adapter changes the logits.

    ../venv/bin/python eval/reference/make_adapter_fixtures.py            # both parts
    ../venv/bin/python eval/reference/make_adapter_fixtures.py --peft-only
"""
import argparse
import json
import pathlib
import shutil
import warnings

import torch
from safetensors.torch import load_file

from tuning_common import FIXTURES, floats, load_tiny, write

ADAPTERS = FIXTURES / "adapters"

warnings.filterwarnings("ignore")


def batch():
    """Two unpadded rows: PEFT's prefix path then needs no position or mask conventions beyond the defaults."""
    g = torch.Generator().manual_seed(21)
    ids = torch.randint(0, 307, (2, 5), generator=g)
    write(ADAPTERS / "batch.json", {"batch_size": 2, "length": 5, "tokens": ids.reshape(-1).tolist()})
    return ids


@torch.no_grad()
def logits(model, ids) -> torch.Tensor:
    return model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits.float()


def stable_target_modules(path: pathlib.Path) -> None:
    """PEFT stores target_modules from a Python set, whose order changes from run to run: sort the list (same
    meaning, same bytes on every regeneration), keeping PEFT's formatting."""
    config = json.loads(path.read_text())
    if isinstance(config.get("target_modules"), list):
        config["target_modules"] = sorted(config["target_modules"])
        path.write_text(json.dumps(config, indent=2, sort_keys=True))


def check_changes(name: str, got: torch.Tensor, reference: torch.Tensor) -> None:
    diff = (got - reference).abs().max().item()
    assert diff > 1e-3, f"{name}: the adapter does not change the logits (max diff {diff})"


# ------------------------------------------------------------------------------------------------ PEFT → LNTune

def peft_to_lntune(ids) -> None:
    from peft import LNTuningConfig, PeftModel, PrefixTuningConfig, get_peft_model

    out = ADAPTERS / "from-peft"
    shutil.rmtree(out, ignore_errors=True)
    torch.manual_seed(3)
    reference = logits(load_tiny(), ids)
    configs = {
        "ln": LNTuningConfig(task_type="CAUSAL_LM"),
        "ln-partial": LNTuningConfig(task_type="CAUSAL_LM", target_modules=["h.1.ln_2", "ln_f"]),
        "prefix": PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=3, prefix_projection=True,
                                     encoder_hidden_size=16),
        "prefix-direct": PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=2),
    }
    expected = {}
    for name, config in configs.items():
        model = get_peft_model(load_tiny(), config).eval()
        if name.startswith("ln"):
            with torch.no_grad():  # LN-Tuning starts as a copy of the base: move it away
                for n, p in model.named_parameters():
                    if "ln_tuning_layers" in n:
                        p.add_(torch.randn_like(p) * 0.3)
        trained = logits(model, ids)
        model.peft_config["default"].base_model_name_or_path = "Tests/Fixtures/tiny-gpt2"  # not this checkout's path
        model.save_pretrained(out / name)
        (out / name / "README.md").unlink(missing_ok=True)
        stable_target_modules(out / name / "adapter_config.json")
        loaded = PeftModel.from_pretrained(load_tiny(), out / name).eval()
        got = logits(loaded, ids)
        assert torch.allclose(got, trained, atol=1e-5), f"{name}: PEFT's own round trip changed the logits"
        check_changes(name, got, reference)
        expected[name] = floats(got)
    expected["base"] = floats(reference)
    write(out / "expected.json", expected)
    perplexity_fixture(out)


@torch.no_grad()
def line_losses(model, sequences, eot):
    """Σ token NLL per sequence: every token after a leading eot, or every token but the first without."""
    results = {}
    for mode, head in (("prepend", [eot]), ("no_prepend", [])):
        losses = []
        for seq in sequences:
            ids = head + seq
            if len(ids) < 2:
                losses.append(0.0)
                continue
            t = torch.tensor([ids])
            logits = model(input_ids=t, attention_mask=torch.ones_like(t)).logits[0, :-1].float()
            losses.append(float(torch.nn.functional.cross_entropy(logits, t[0, 1:], reduction="sum")))
        results[mode] = losses
    return results


def perplexity_fixture(out: pathlib.Path) -> None:
    from peft import PeftModel
    g = torch.Generator().manual_seed(8)
    sequences = [torch.randint(0, 306, (n,), generator=g).tolist() for n in (4, 0, 9, 1, 6, 12)]
    eot = 306
    results = {"base": line_losses(load_tiny(), sequences, eot)}
    for name in ("ln", "prefix"):
        results[name] = line_losses(PeftModel.from_pretrained(load_tiny(), out / name).eval(), sequences, eot)
    write(out / "perplexity.json", {"eot": eot, "sequences": sequences, "results": results})


# ------------------------------------------------------------------------------------------------ LNTune → PEFT

def check_ln_modules(model, directory: pathlib.Path, wanted: set) -> None:
    """PEFT wrapped exactly `wanted` and holds the file's values."""
    state = load_file(directory / "adapter_model.safetensors")
    wrapped = {n.removeprefix("base_model.model.transformer.") for n, m in model.named_modules()
               if type(m).__name__ == "LNTuningLayer"}
    assert wrapped == wanted, f"{directory.name}: PEFT wrapped {sorted(wrapped)}, expected {sorted(wanted)}"
    params = dict(model.named_parameters())
    for key, value in state.items():
        live = params[key.replace(".ln_tuning_layers.", ".ln_tuning_layers.default.")]
        assert torch.equal(live, value), f"{directory.name}: {key} not loaded"


def lntune_to_peft(ids) -> None:
    from peft import PeftConfig, PeftModel
    from transformers import GPT2LMHeadModel

    src = ADAPTERS / "from-lntune"
    missing = [d for d in ("ln", "ln-ablation", "prefix", "prefix-direct", "prefix-ln", "bitfit", "full",
                           "merged-ln", "merged-bitfit") if not (src / d).is_dir()]
    if missing:
        raise SystemExit(f"{src} lacks {missing}: run LNTUNE_WRITE_ADAPTER_FIXTURES=1 swift test --filter"
                         " writeAdapterFixtures first")
    reference = logits(load_tiny(), ids)
    expected = {}

    for name in ("ln", "ln-ablation", "prefix", "prefix-direct"):
        config = PeftConfig.from_pretrained(src / name)  # the extra "lntune" key is dropped with a warning
        assert config.inference_mode and config.task_type == "CAUSAL_LM"
        model = PeftModel.from_pretrained(load_tiny(), src / name).eval()
        if name == "ln":
            check_ln_modules(model, src / name, {f"h.{i}.ln_{j}" for i in range(2) for j in (1, 2)} | {"ln_f"})
        if name == "ln-ablation":
            assert set(config.target_modules) == {"h.1.ln_1", "ln_f"}, config.target_modules
            check_ln_modules(model, src / name, {"h.1.ln_1", "ln_f"})
        if name.startswith("prefix"):
            saved = load_file(src / name / "adapter_model.safetensors")["prompt_embeddings"]
            assert torch.equal(model.prompt_encoder["default"].embedding.weight, saved)
        expected[name] = logits(model, ids)

    # prefix+ln: LN merged into the weights first, then the prefix on top.
    merged = PeftModel.from_pretrained(load_tiny(), src / "prefix-ln" / "ln").merge_and_unload()
    expected["prefix-ln"] = logits(PeftModel.from_pretrained(merged, src / "prefix-ln" / "prefix").eval(), ids)

    model = load_tiny()
    state = load_file(src / "bitfit" / "bitfit.safetensors")
    result = model.load_state_dict(state, strict=False)
    biases = {n for n, _ in model.named_parameters() if n.endswith(".bias")}
    assert not result.unexpected_keys, result.unexpected_keys
    assert set(state) == biases and not biases & set(result.missing_keys)
    expected["bitfit"] = logits(model, ids)

    expected["full"] = logits(GPT2LMHeadModel.from_pretrained(src / "full").eval(), ids)
    for merged_name, source in (("merged-ln", "ln"), ("merged-bitfit", "bitfit")):
        got = logits(GPT2LMHeadModel.from_pretrained(src / merged_name).eval(), ids)
        assert torch.allclose(got, expected[source], atol=1e-5), f"{merged_name} differs from {source}"
        expected[merged_name] = got

    for name, value in expected.items():
        check_changes(name, value, reference)
        print(f"  {name}: loaded, max |logit change| vs base {float((value - reference).abs().max()):.4f}")
    write(src / "expected.json", {k: floats(v) for k, v in expected.items()})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--peft-only", action="store_true", help="only part 1 (no Swift-written adapters needed)")
    args = parser.parse_args()
    ids = batch()
    peft_to_lntune(ids)
    if not args.peft_only:
        lntune_to_peft(ids)
