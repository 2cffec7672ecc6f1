#!/usr/bin/env python3
"""Write Tests/Fixtures/tokenizer/jsonl/{input.jsonl,expected.txt}: texts with newlines (and CR, tabs, U+2028,
emoji, escapes) as one JSON string per line, and the ids HF `tokenizers` gives each text with the tiny BPE of
Tests/Fixtures/tiny-bpe (GPT-2's pipeline, as make_tokenizer_fixtures.py builds it) — what
`lntune tokenize --jsonl` must print, one JSON array per line.

    ../venv/bin/python eval/reference/make_tokenize_jsonl_fixture.py
"""
import json
import pathlib
import sys

import tokenizers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_tokenizer_fixtures import ROOT, hf_bpe  # noqa: E402

TEXTS = [
    "first line\nsecond line",
    "name[The Eagle], eatType[coffee shop]\n\n",
    "\n",
    "",
    "tabs\tand\r\nCRLF kept as text\rlone CR",
    "line separator\u2028next paragraph\u2029end",
    "emoji 🙂\nand accents: café, naïve\n  indented",
    "quotes \"inside\" and backslash \\ and slash /",
    "trailing spaces   \n   ",
    "<|endoftext|>\nafter the special token",
]


def main() -> None:
    tok = hf_bpe(ROOT / "Tests/Fixtures/tiny-bpe", special=True)
    out = ROOT / "Tests/Fixtures/tokenizer/jsonl"
    out.mkdir(parents=True, exist_ok=True)
    # ensure_ascii for some lines, raw UTF-8 for others: both spellings must read the same.
    lines = [json.dumps(t, ensure_ascii=(i % 2 == 0)) for i, t in enumerate(TEXTS)]
    (out / "input.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ids = [tok.encode(t).ids for t in TEXTS]
    (out / "expected.txt").write_text("".join(json.dumps(i, separators=(",", ":")) + "\n" for i in ids))
    print(f"wrote {len(TEXTS)} texts, tokenizers {tokenizers.__version__}")


if __name__ == "__main__":
    main()
