#!/usr/bin/env python3
"""A PEFT LoRA adapter with random B (so it changes the output) for a GPT-2 model folder: the LoRA file of the
merged/unmerged decoding rows in eval/BENCHMARKS.md ("Tuning methods").

    ../venv/bin/python eval/make_random_lora.py --model ../gpt2-small-random --out LORA [--r 8] [--targets c_attn]
"""
import argparse

import torch
from peft import LoraConfig, get_peft_model
from transformers import GPT2LMHeadModel

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--model", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--r", type=int, default=8)
parser.add_argument("--targets", default="c_attn", help="comma-separated target modules")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.manual_seed(args.seed)
config = LoraConfig(
    r=args.r, lora_alpha=args.r, target_modules=args.targets.split(","), fan_in_fan_out=True, task_type="CAUSAL_LM")
model = get_peft_model(GPT2LMHeadModel.from_pretrained(args.model), config)
with torch.no_grad():
    for name, parameter in model.named_parameters():
        # PEFT starts B at zero (the adapter is then the identity); random B makes the merged model differ.
        if "lora_B" in name:
            parameter.normal_(0, 0.01)
model.save_pretrained(args.out)
