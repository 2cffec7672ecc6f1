#!/usr/bin/env python3
"""Write Tests/Fixtures/bottleneck/: bottleneck adapters as AdapterHub's `adapters` 1.3.0 computes them on
Tests/Fixtures/tiny-gpt2 (transformers 4.57.6, which `adapters` pins: see requirements-adapterhub.txt).

    module.json      AdapterHub's own `Adapter` / `ParallelAdapter` modules, standalone, as its BottleneckLayer
                     drives them on GPT-2 (no Transformer LayerNorm handed in): for each placement and
                     non-linearity, weights, the sub-layer output h and residual r, the layer's output and the
                     autograd gradients of sum(output * G) for h, r and every weight
    <case>/          an adapter folder written by AdapterHub (`adapter_config.json` + `adapter.safetensors`, as
                     `model.load_adapter(DIR, use_safetensors=True)` reads it), weights perturbed away from their
                     initialisation so every part matters; MAM's file holds each shared prefix tensor once
    expected.json    per case (the starting values are the folder's): logits of a right-padded batch, the token-mean loss and the adapter gradients of a
                     labelled batch, two AdamW steps (HF Trainer's decay groups, clipping at 1.0, constant rate),
                     and the new ids of greedy and 3-beam search (KV cache, left-padded prompts)
    counts.json      trainable and total parameter counts on GPT-2 small and medium shapes for each config (and
                     with every LayerNorm trainable too, the `+ln` combinations), as AdapterHub's model reports
                     them (`sum(p.numel())` over `parameters()`, the tied head counted once)

    pip install --no-deps --target ../adapterhub-pkgs -r eval/reference/requirements-adapterhub.txt
    PYTHONPATH=../adapterhub-pkgs ../venv/bin/python eval/reference/make_bottleneck_fixtures.py

LNTune → AdapterHub (`--from-lntune`): checks the folders a Swift test wrote into Tests/Fixtures/bottleneck/from-lntune/
(`LNTUNE_WRITE_BOTTLENECK_FIXTURES=1 swift test --filter writeBottleneckFixtures`) by loading each with
`model.load_adapter(DIR, use_safetensors=True)` — for a combination (`lntune_adapter.json`), first PEFT's LN part
merged (`PeftModel.from_pretrained(base, DIR/ln).merge_and_unload()`) — checking that every tensor of the file
arrived in the model and that the adapter changes the logits, and records the logits into
from-lntune/expected.json.

Cases on the tiny model (n_embd 32, 2 layers): `seq_bn` (SeqBnConfig, Pfeiffer: reduction 16, ReLU, after the
FFN on the residual stream), `seq_bn_r4_gelu` (reduction 4, exact GELU), `double_seq_bn` (DoubleSeqBnConfig,
Houlsby: after attention and after the FFN, swish), `par_bn` (ParBnConfig: parallel to the FFN, reduction 2,
scaling 4), `mam` (MAMConfig with a 5-slot prefix through an 8-wide MLP: the defaults' 30 × 800 would make a
1.5 MB fixture; the default sizes are checked by counts.json) and `par_bn_attn_tanh` (parallel adapters beside
the attention too, reduction 4, tanh, scaling 2).
"""
import copy
import json
import pathlib
import shutil
import warnings

import torch
from safetensors.torch import save_file

import adapters
from adapters import DoubleSeqBnConfig, MAMConfig, ParBnConfig, PrefixTuningConfig, SeqBnConfig
from adapters.methods.modeling import Adapter, ParallelAdapter
from transformers import GPT2Config, GPT2LMHeadModel

from tuning_common import FIXTURES, TINY, floats, write

OUT = FIXTURES / "bottleneck"
NAME = "task"  # the adapter name AdapterHub puts into every key; any name must read
EOS = 306
MAX_NEW = 10

warnings.filterwarnings("ignore")
assert adapters.__version__ == "1.3.0", adapters.__version__


def tiny() -> GPT2LMHeadModel:
    model = GPT2LMHeadModel.from_pretrained(TINY, dtype=torch.float32, attn_implementation="eager").eval()
    model.config.name_or_path = "Tests/Fixtures/tiny-gpt2"  # what adapter_config.json records, no machine path
    adapters.init(model)
    return model


def adapter_parameters(model):
    """The adapter's trainable parameters under the names its file stores (a shared prefix tensor once, under
    its pool name `transformer.prefix_tuning.prefix_tunings.NAME.…`)."""
    state = {k: v for k, v in model.state_dict().items() if f".{NAME}." in k}
    by_storage = {}
    for key, value in state.items():
        if "attn.prefix_tuning.pool." in key:
            continue
        by_storage[value.data_ptr()] = key
    named = []
    for n, p in model.named_parameters():
        if p.requires_grad:
            named.append((by_storage[p.data_ptr()], p))
    return named


# ------------------------------------------------------------------------------------------------ the module


def module_fixture() -> None:
    """AdapterHub's bottleneck modules alone, through pre_forward → forward → post_forward as BottleneckLayer
    calls them on GPT-2 (layer_norm None)."""
    torch.manual_seed(3)
    cases = []
    configs = [
        ("residual-stream", SeqBnConfig, Adapter),  # original_ln_before: the adapter reads h + r
        ("branch-output", DoubleSeqBnConfig, Adapter),  # the adapter reads h
        ("parallel", ParBnConfig, ParallelAdapter),  # the adapter reads r
    ]
    for placement, config_type, module_type in configs:
        for nonlinearity in ("relu", "swish", "gelu", "gelu_new", "tanh", "leakyrelu"):
            config = config_type(non_linearity=nonlinearity, reduction_factor=4, scaling=1.5)
            module = module_type("m", input_size=8, down_sample=2, config=config)
            with torch.no_grad():
                for p in module.parameters():
                    p.copy_(torch.randn_like(p) * 0.7)
            h = torch.randn(5, 8, requires_grad=True)
            r = torch.randn(5, 8, requires_grad=True)
            x, _, residual = module.pre_forward(h, r, None)
            out, _, _ = module(x, residual_input=residual)
            out = module.post_forward(out, h, r, None)
            upstream = torch.randn_like(out)
            (out * upstream).sum().backward()
            cases.append({
                "placement": placement, "non_linearity": nonlinearity, "scaling": 1.5, "rows": 5, "channels": 8,
                "bottleneck": 2,
                "weights": {n: floats(p) for n, p in module.named_parameters()},
                "h": floats(h), "r": floats(r), "output": floats(out), "upstream": floats(upstream),
                "dh": floats(h.grad), "dr": floats(r.grad),
                "gradients": {n: floats(p.grad) for n, p in module.named_parameters()},
            })
    write(OUT / "module.json", cases)


# ------------------------------------------------------------------------------------------------ the model


def case_configs():
    return {
        "seq_bn": SeqBnConfig(),
        "seq_bn_r4_gelu": SeqBnConfig(reduction_factor=4, non_linearity="gelu"),
        "double_seq_bn": DoubleSeqBnConfig(),
        "par_bn": ParBnConfig(),
        "mam": MAMConfig(PrefixTuningConfig(prefix_length=5, bottleneck_size=8), ParBnConfig()),
        "par_bn_attn_tanh": ParBnConfig(mh_adapter=True, reduction_factor=4, non_linearity="tanh", scaling=2.0),
    }


def save(model, folder: pathlib.Path) -> None:
    """AdapterHub's save_adapter; for MAM (whose prefix tensors are shared between layers, which safetensors
    refuses) the same file with each shared tensor once, which load_adapter reads back."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        model.save_adapter(str(folder), NAME, use_safetensors=True, with_head=False)
    except RuntimeError:
        model.save_adapter(str(folder), NAME, with_head=False)
        (folder / "pytorch_adapter.bin").unlink()
        save_file({n: p.detach().contiguous() for n, p in adapter_parameters(model)}, folder / "adapter.safetensors")
    for extra in ("head_config.json", "model_head.safetensors"):
        (folder / extra).unlink(missing_ok=True)


def right_padded(g, lengths):
    t = max(lengths)
    ids, mask, labels = [], [], []
    for n in lengths:
        row = torch.randint(0, EOS, (n,), generator=g).tolist()
        ids.append(row + [0] * (t - n))
        mask.append([1] * n + [0] * (t - n))
        labels.append([-100] + row[1:] + [-100] * (t - n))
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(labels)


def batch_json(ids, mask, labels=None):
    out = {"batch_size": ids.shape[0], "length": ids.shape[1], "tokens": ids.reshape(-1).tolist(),
           "mask": mask.reshape(-1).tolist()}
    if labels is not None:
        out["labels"] = labels.reshape(-1).tolist()
    return out


def token_mean_loss(model, ids, mask, labels):
    logits = model(input_ids=ids, attention_mask=mask).logits
    return torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100)


@torch.no_grad()
def generate(model, rows, **kw):
    width = max(map(len, rows))
    ids = torch.tensor([[EOS] * (width - len(r)) + r for r in rows])
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
    out = model.generate(
        input_ids=ids, attention_mask=mask, max_new_tokens=MAX_NEW, eos_token_id=EOS, pad_token_id=EOS,
        do_sample=False, use_cache=True, **kw)
    return [row[:row.index(EOS)] if EOS in row else row for row in out[:, width:].tolist()]


@torch.no_grad()
def explicit_greedy(model, prompt):
    tokens, new = list(prompt), []
    for _ in range(MAX_NEW):
        nxt = int(model(torch.tensor([tokens])).logits[0, -1].argmax())
        if nxt == EOS:
            break
        new.append(nxt)
        tokens.append(nxt)
    return new


def model_case(name, config, g, logits_batch, prompts) -> dict:
    torch.manual_seed(17)
    model = tiny()
    model.add_adapter(NAME, config=config)
    model.train_adapter(NAME)
    model.eval()
    with torch.no_grad():  # away from the initialisation (zero up-projections would hide the down gradients)
        for _, p in adapter_parameters(model):
            p.add_(torch.randn_like(p) * 0.3)
    save(model, OUT / name)

    # What LNTune reads must be what AdapterHub loads back.
    loaded = tiny()
    assert loaded.load_adapter(str(OUT / name), use_safetensors=True) == NAME
    loaded.set_active_adapters(NAME)
    ids, mask = logits_batch
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits
        assert torch.equal(logits, loaded(input_ids=ids, attention_mask=mask).logits), f"{name}: reload differs"
        base = tiny()(input_ids=ids, attention_mask=mask).logits
        assert (logits - base).abs().max() > 1e-2, f"{name}: the adapter does not change the logits"

    greedy = generate(model, prompts)
    assert greedy == [explicit_greedy(model, p) for p in prompts], f"{name}: cached greedy differs from a loop"
    assert greedy == [generate(model, [p])[0] for p in prompts], f"{name}: padded batch differs"
    beams = generate(model, prompts, num_beams=3)
    assert beams == [generate(model, [p], num_beams=3)[0] for p in prompts], f"{name}: padded beams differ"

    named = adapter_parameters(model)
    decay = [p for n, p in named if not n.endswith("bias")]
    no_decay = [p for n, p in named if n.endswith("bias")]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1e-2, betas=(0.9, 0.999), eps=1e-8)
    steps = []
    gradients = None
    for lengths in ([7, 5, 6], [4, 8]):
        ids_t, mask_t, labels_t = right_padded(g, lengths)
        optimizer.zero_grad()
        loss = token_mean_loss(model, ids_t, mask_t, labels_t)
        loss.backward()
        if gradients is None:
            gradients = {n: floats(p.grad) for n, p in named}
        norm = torch.nn.utils.clip_grad_norm_([p for _, p in named], 1.0)
        optimizer.step()
        steps.append({"batch": batch_json(ids_t, mask_t, labels_t), "loss": float(loss), "grad_norm": float(norm),
                      "after": {n: floats(p) for n, p in named}})
    print(f"  {name}: {len(named)} tensors, losses {[round(s['loss'], 5) for s in steps]}")
    return {
        "folder": name, "architecture": config.architecture if hasattr(config, "architecture") else None,
        "logits": floats(logits), "gradients": gradients, "steps": steps,
        "greedy": greedy, "beam3": beams,
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "all": sum(p.numel() for p in model.parameters()),
    }


def model_fixture() -> None:
    g = torch.Generator().manual_seed(29)
    ids, mask, _ = right_padded(g, [5, 3])
    prompt_g = torch.Generator().manual_seed(7)
    prompts = [torch.randint(0, EOS, (n,), generator=prompt_g).tolist() for n in (3, 6, 5, 9)]
    cases = {}
    for name, config in case_configs().items():
        cases[name] = model_case(name, config, g, (ids, mask), prompts)
    write(OUT / "expected.json", {
        "adapters": adapters.__version__, "adapter_name": NAME, "eos_token_id": EOS, "max_new_tokens": MAX_NEW,
        "logits_batch": batch_json(ids, mask), "prompts": prompts, "cases": cases})


# ------------------------------------------------------------------------------------------------ counts


def counts_fixture() -> None:
    """Shapes only: the models are built on the meta device (no weights)."""
    shapes = {"gpt2": dict(n_embd=768, n_layer=12, n_head=12), "gpt2-medium": dict(n_embd=1024, n_layer=24, n_head=16)}
    configs = {
        "adapter": SeqBnConfig(), "adapter-houlsby": DoubleSeqBnConfig(), "par-adapter": ParBnConfig(),
        "mam": MAMConfig(),
    }
    out = {}
    for model_name, shape in shapes.items():
        for method, config in configs.items():
            for with_ln in (False, True):
                with torch.device("meta"):
                    model = GPT2LMHeadModel(GPT2Config(**shape))
                    adapters.init(model)
                    model.add_adapter(NAME, config=copy.deepcopy(config))
                model.train_adapter(NAME)
                if with_ln:
                    for n, p in model.named_parameters():
                        if ".ln_" in n:
                            p.requires_grad_(True)
                name = method + ("+ln" if with_ln else "")
                out.setdefault(model_name, {})[name] = {
                    "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
                    "all": sum(p.numel() for p in model.parameters()),
                }
                print(f"  {model_name} {name}: {out[model_name][name]}")
    write(OUT / "counts.json", out)


# ------------------------------------------------------------------------------------------------ LNTune → AdapterHub


def load_lntune(folder: pathlib.Path):
    """The tiny model with an LNTune-written folder loaded by the documented recipe; the file's tensors must all
    be in the model, bit for bit."""
    from peft import PeftModel
    from safetensors.torch import load_file

    manifest = folder / "lntune_adapter.json"
    model = GPT2LMHeadModel.from_pretrained(TINY, dtype=torch.float32, attn_implementation="eager").eval()
    if manifest.exists():
        components = json.loads(manifest.read_text())["components"]
        model = PeftModel.from_pretrained(model, folder / components.pop("ln")).merge_and_unload().eval()
        (part,) = components.values()
        folder = folder / part
    adapters.init(model)
    name = model.load_adapter(str(folder), use_safetensors=True)
    model.set_active_adapters(name)
    state = model.state_dict()
    for key, value in load_file(folder / "adapter.safetensors").items():
        assert torch.equal(state[key], value), f"{folder}: {key} did not arrive in the model"
    return model


def from_lntune() -> None:
    root = OUT / "from-lntune"
    g = torch.Generator().manual_seed(31)
    ids = torch.randint(0, EOS, (1, 6), generator=g)
    mask = torch.ones_like(ids)
    base = tiny()
    with torch.no_grad():
        reference = base(input_ids=ids, attention_mask=mask).logits
    logits = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        with torch.no_grad():
            got = load_lntune(folder)(input_ids=ids, attention_mask=mask).logits
        assert (got - reference).abs().max() > 1e-3, f"{folder.name}: the adapter does not change the logits"
        logits[folder.name] = floats(got)
        print(f"  {folder.name}: loaded")
    write(root / "expected.json", {"batch": batch_json(ids, mask), "logits": logits})


if __name__ == "__main__":
    import sys

    if "--from-lntune" in sys.argv:
        from_lntune()
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        module_fixture()
        model_fixture()
        counts_fixture()
