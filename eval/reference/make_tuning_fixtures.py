#!/usr/bin/env python3
"""Write the parity fixtures of LNTune's Tuning module (prefix encoder, optimizer steps end to end).

    Tests/Fixtures/tuning/prefix-encoder.json   PEFT's PrefixEncoder (MLP and direct): weights, output for the
                                                virtual tokens 0..P-1, and autograd gradients of sum(output * G)
    Tests/Fixtures/tuning/training.json         whole training steps on Tests/Fixtures/tiny-gpt2 in PyTorch:
                                                micro-batches accumulated, clipping, AdamW/SGD, linear schedule;
                                                the trainable values after every step

Training cases mirror LNTune's Tuner exactly as documented there: each micro-batch's token losses are summed
and the step divides by the step's number of target tokens ("token-mean", transformers' num_items_in_batch
rule) or sequences ("sequence-sum"); torch.nn.utils.clip_grad_norm_; torch.optim.AdamW / SGD with parameter
groups from transformers' own get_parameter_names (HF Trainer's no-decay rule) or one group ("all");
transformers' get_linear_schedule_with_warmup. Prefix cases run PEFT's PeftModelForCausalLM.

    ../venv/bin/python eval/reference/make_tuning_fixtures.py
"""

import torch
from torch import nn

from tuning_common import FIXTURES, floats, load_tiny, write


# ---------------------------------------------------------------------------------------------- prefix encoder

def prefix_encoder_fixture() -> None:
    from peft import PrefixTuningConfig
    from peft.tuners.prefix_tuning import PrefixEncoder

    torch.manual_seed(11)
    cases = {}
    for name, projection in (("mlp", True), ("direct", False)):
        config = PrefixTuningConfig(
            task_type="CAUSAL_LM", num_virtual_tokens=4, token_dim=32, num_layers=2, num_attention_heads=4,
            encoder_hidden_size=16, prefix_projection=projection, num_transformer_submodules=1)
        encoder = PrefixEncoder(config)
        tokens = torch.arange(4).unsqueeze(0)
        out = encoder(tokens)[0]
        upstream = torch.randn_like(out)
        (out * upstream).sum().backward()
        cases[name] = {
            "virtual_tokens": 4, "hidden": 16,
            "weights": {n: floats(p) for n, p in encoder.named_parameters()},
            "output": floats(out), "upstream": floats(upstream),
            "gradients": {n: floats(p.grad) for n, p in encoder.named_parameters()},
        }
    write(FIXTURES / "tuning" / "prefix-encoder.json", cases)


# ---------------------------------------------------------------------------------------------- training steps


def micro_batch(g: torch.Generator, lengths, prompt: int, vocab: int = 307):
    """Right-padded rows; labels copy the ids except padding and each row's first `prompt` tokens (-100)."""
    t = max(lengths)
    ids, mask, labels = [], [], []
    for n in lengths:
        row = torch.randint(0, vocab, (n,), generator=g).tolist()
        ids.append(row + [0] * (t - n))
        mask.append([1] * n + [0] * (t - n))
        labels.append([-100] * prompt + row[prompt:] + [-100] * (t - n))
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(labels)


def summed_loss(logits, labels, smoothing):
    """Σ over target tokens of the shifted cross-entropy (what LNTune asks of each micro-batch), and counts."""
    shift_logits = logits[:, :-1].reshape(-1, logits.shape[-1])
    shift_labels = labels[:, 1:].reshape(-1)
    loss = nn.functional.cross_entropy(
        shift_logits, shift_labels, reduction="sum", ignore_index=-100, label_smoothing=smoothing)
    return loss, int((shift_labels != -100).sum()), labels.shape[0]


def hf_decay_names(model) -> set:
    """HF Trainer.get_decay_parameter_names, from transformers' own helper."""
    from transformers.trainer_pt_utils import get_parameter_names
    patterns = [r"bias", r"layernorm", r"rmsnorm", r"(?:^|\.)norm(?:$|\.)", r"_norm(?:$|\.)"]
    return set(get_parameter_names(model, [nn.LayerNorm], patterns))


def lntune_name(peft_or_hf_name: str) -> str:
    """The segment name LNTune's Tuner uses for a torch parameter name (LoRA: `….lora_A.weight`)."""
    n = peft_or_hf_name.removeprefix("base_model.model.")
    if n.startswith("prompt_encoder.default."):
        return "prompt_encoder." + n.removeprefix("prompt_encoder.default.")
    return n.replace(".ln_tuning_layers.default", "").replace(".default.", ".")


def run_case(spec: dict, g: torch.Generator) -> dict:
    from peft import PrefixTuningConfig, get_peft_model

    model = load_tiny()
    for p in model.parameters():
        p.requires_grad_(False)
    method = spec["method"]["method"]
    if method == "ln":
        for n, p in model.named_parameters():
            p.requires_grad_(".ln_" in n)
        net = model
    elif method == "bitfit":
        for n, p in model.named_parameters():
            p.requires_grad_(n.endswith(".bias"))
        net = model
    else:  # prefix
        prefix = spec["method"]["prefix"]
        mlp = prefix["projection"] == "mlp"
        config = PrefixTuningConfig(
            task_type="CAUSAL_LM", num_virtual_tokens=prefix["virtual_tokens"], prefix_projection=mlp,
            encoder_hidden_size=prefix.get("hidden", 32))
        net = get_peft_model(model, config).eval()
    return train(net, spec, g)


def train(net, spec: dict, g: torch.Generator) -> dict:
    """The optimizer steps of `spec` on `net`'s trainable parameters; the case with its initial values and steps."""
    from transformers import get_linear_schedule_with_warmup

    trainable = [(n, p) for n, p in net.named_parameters() if p.requires_grad]
    initial = {lntune_name(n): floats(p) for n, p in trainable}

    opt = spec["optimizer"]
    decay_names = hf_decay_names(net) if opt["decayScope"] == "hf" else {n for n, _ in trainable}
    groups = [
        {"params": [p for n, p in trainable if n in decay_names], "weight_decay": opt["weightDecay"]},
        {"params": [p for n, p in trainable if n not in decay_names], "weight_decay": 0.0},
    ]
    groups = [grp for grp in groups if grp["params"]]
    sched = spec["schedule"]
    if opt["algorithm"] == "adamw":
        optimizer = torch.optim.AdamW(groups, lr=sched["peak"], betas=(opt["beta1"], opt["beta2"]), eps=opt["epsilon"])
    else:
        optimizer = torch.optim.SGD(groups, lr=sched["peak"], momentum=opt["momentum"])
    scheduler = get_linear_schedule_with_warmup(optimizer, sched["warmupSteps"], sched["totalSteps"])
    objective = spec["objective"]

    steps = []
    for lengths_per_micro in spec["micro_batch_lengths"]:
        optimizer.zero_grad()
        batches = [micro_batch(g, lengths, prompt=2) for lengths in lengths_per_micro]
        sums, tokens, sequences = [], 0, 0
        for ids, mask, labels in batches:
            logits = net(input_ids=ids, attention_mask=mask).logits
            s, n, b = summed_loss(logits, labels, objective["labelSmoothing"])
            sums.append(s)
            tokens += n
            sequences += b
        denominator = tokens if objective["reduction"] == "token-mean" else sequences
        for s in sums:  # accumulated backward, each micro-batch scaled by the step's denominator
            (s / denominator).backward()
        params = [p for _, p in trainable]
        norm = torch.nn.utils.clip_grad_norm_(params, spec["max_grad_norm"]) if spec["max_grad_norm"] > 0 else \
            torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        steps.append({
            "micro_batches": [
                {"batch_size": ids.shape[0], "length": ids.shape[1], "tokens": ids.reshape(-1).tolist(),
                 "mask": mask.reshape(-1).tolist(), "labels": labels.reshape(-1).tolist()}
                for ids, mask, labels in batches],
            "loss": float(sum(float(s) for s in sums) / denominator), "grad_norm": float(norm), "learning_rate": lr,
            "target_tokens": tokens, "sequences": sequences,
            "after": {lntune_name(n): floats(p) for n, p in trainable},
        })
    return {**spec, "initial": initial, "steps": steps}


def training_fixture() -> None:
    ln = {"method": "ln", "ln": {"terms": ["gain", "bias"], "modules": ["attn", "mlp", "final"], "layers": None}}
    adamw = {"algorithm": "adamw", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "momentum": 0.0}
    sgd = {"algorithm": "sgd", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    schedule = {"peak": 1e-2, "shape": "linear", "warmupSteps": 0, "totalSteps": 4}
    token_mean = {"reduction": "token-mean", "labelSmoothing": 0.0, "ignoreIndex": -100}
    lengths = [[[9, 6], [7]], [[8, 8, 5], [4, 6]]]  # two steps, each two micro-batches of unequal token counts
    specs = [
        {"name": "ln-adamw-decay-all-clipped", "method": ln, "max_grad_norm": 0.5, "objective": token_mean,
         "optimizer": {**adamw, "weightDecay": 0.1, "decayScope": "all"}, "schedule": schedule},
        {"name": "ln-adamw-hf-groups-sequence-sum-smoothed", "method": ln, "max_grad_norm": 1.0,
         "objective": {"reduction": "sequence-sum", "labelSmoothing": 0.1, "ignoreIndex": -100},
         "optimizer": {**adamw, "weightDecay": 0.1, "decayScope": "hf"}, "schedule": schedule},
        {"name": "prefix-mlp-adamw-hf-groups", "max_grad_norm": 1.0, "objective": token_mean,
         "method": {"method": "prefix", "prefix": {"virtual_tokens": 3, "projection": "mlp", "hidden": 16}},
         "optimizer": {**adamw, "weightDecay": 0.05, "decayScope": "hf"},
         "schedule": {**schedule, "peak": 5e-3, "warmupSteps": 1}},
        {"name": "prefix-direct-sgd-momentum", "max_grad_norm": 0.5, "objective": token_mean,
         "method": {"method": "prefix", "prefix": {"virtual_tokens": 2, "projection": "direct"}},
         "optimizer": {**sgd, "momentum": 0.9, "weightDecay": 0.01, "decayScope": "all"}, "schedule": schedule},
        {"name": "bitfit-sgd", "method": {"method": "bitfit"}, "max_grad_norm": 0.0, "objective": token_mean,
         "optimizer": {**sgd, "momentum": 0.0, "weightDecay": 0.0, "decayScope": "hf"}, "schedule": schedule},
    ]
    torch.manual_seed(5)  # PEFT's prefix-encoder initialisation draws from the global generator
    g = torch.Generator().manual_seed(5)
    cases = []
    for spec in specs:
        spec = {**spec, "micro_batch_lengths": lengths}
        cases.append(run_case(spec, g))
        print(f"  {spec['name']}: losses {[round(s['loss'], 5) for s in cases[-1]['steps']]},"
              f" grad norms {[round(s['grad_norm'], 4) for s in cases[-1]['steps']]}")
    write(FIXTURES / "tuning" / "training.json", cases)


if __name__ == "__main__":
    prefix_encoder_fixture()
    training_fixture()
