#!/usr/bin/env python3
"""Checks, with the real GPT-2 BPE, that LNTune's prompt/target split loses nothing.

LNTune encodes a template's prompt part and target part separately (the loss mask starts exactly at the
target). That is only right if the two encodings concatenated equal the encoding of the joined text.
The Swift tests prove it with a pre-tokenizing stand-in; this script confirms it with the real
vocabulary (tiktoken + ../shared/gpt2/gpt2.tiktoken) over the real E2E and DialogSum training sets, and
shows that the rejected variant (space left at the end of the prompt) would break every pair.

Usage: ../venv/bin/python eval/reference/check_prompt_boundary.py   (needs ../shared; prints counts)
"""
import base64
import csv
import json
from pathlib import Path

import tiktoken

shared = Path(__file__).resolve().parents[3] / "shared"
ranks = {}
for line in open(shared / "gpt2/gpt2.tiktoken", "rb"):
    if line.strip():
        token, rank = line.split()
        ranks[base64.b64decode(token)] = int(rank)
# tiktoken's "gpt2" pattern, equivalent to GPT-2's encoder.py regex.
pattern = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
gpt2 = tiktoken.Encoding(
    name="gpt2-local", pat_str=pattern, mergeable_ranks=ranks, special_tokens={"<|endoftext|>": 50256})
EOT = "<|endoftext|>"


def encode(text):
    return gpt2.encode(text, allowed_special="all")


def mismatches(pairs, prompt, target, joined):
    return sum(encode(prompt(s)) + encode(target(t)) != encode(joined(s, t)) for s, t in pairs)


rows = list(csv.reader(open(shared / "datasets/e2e/trainset.csv", encoding="utf-8", newline="")))[1:]
e2e = [(r[0], r[1]) for r in rows]
print("e2e.txt on E2E train:", mismatches(
    e2e, lambda s: f" {s} {EOT}", lambda t: f" {t} {EOT}", lambda s, t: f" {s} {EOT} {t} {EOT}"), "of", len(e2e))
records = [json.loads(l) for l in open(shared / "datasets/dialogsum/prerelease-2021-05/dialogsum.train.jsonl")]
dialogs = [(r["dialogue"], r["summary"]) for r in records]
print("dialogsum.txt on DialogSum train:", mismatches(
    dialogs, lambda s: f"Dialogue:\n{s}\nSummary:", lambda t: f" {t}{EOT}",
    lambda s, t: f"Dialogue:\n{s}\nSummary: {t}{EOT}"), "of", len(dialogs))
print("rejected split (space ends the prompt):", mismatches(
    dialogs, lambda s: f"Dialogue:\n{s}\nSummary: ", lambda t: f"{t}{EOT}",
    lambda s, t: f"Dialogue:\n{s}\nSummary: {t}{EOT}"), "of", len(dialogs))
