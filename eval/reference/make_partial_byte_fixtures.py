"""A byte-level BPE vocabulary that lacks some of the 256 byte tokens, and the ids HF `tokenizers` gives with it.

    ../venv/bin/python eval/reference/make_partial_byte_fixtures.py

Hugging Face loads such a vocabulary; its BPE drops a character it has no token for (GPT-2 sets no
`unk_token`), so the neighbours of a dropped byte become adjacent and may merge. The fixture is the tiny BPE of
Tests/Fixtures/tiny-bpe/ without the tokens of bytes 0x00, 'z' and '\\n' (and the merges that need them).

Writes Tests/Fixtures/tokenizer/partial-bytes/{vocab.json,merges.txt,expected.json}.
"""

import json
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "Tests/Fixtures/tiny-bpe"
OUT = ROOT / "Tests/Fixtures/tokenizer/partial-bytes"
EOT = "<|endoftext|>"
# Byte-level characters of the bytes 0x00, 'z' and '\n' (GPT-2's bytes_to_unicode).
DROPPED = {"Ā", "z", "Ċ"}
STRINGS = [
    "pizza zoo", "a\x00b", "zz", "the quiz", "line one\nline two", "\n\n", "z", "", "buzz\x00\x00fizz",
    "lazy dog, dozens of zebras", "zero\r\nzone", "é z é", EOT + "zap" + EOT,
]


def main() -> None:
    vocab = json.loads((TINY / "vocab.json").read_text())
    lines = (TINY / "merges.txt").read_text().split("\n")
    header, merges = lines[0], [line for line in lines[1:] if line]
    kept_vocab = {token: i for token, i in vocab.items() if not any(ch in DROPPED for ch in token) or token == EOT}
    kept_merges = [m for m in merges if all(p in kept_vocab for p in m.split(" ")) and m.replace(" ", "") in kept_vocab]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "vocab.json").write_text(json.dumps(kept_vocab, ensure_ascii=False) + "\n")
    (OUT / "merges.txt").write_text("\n".join([header] + kept_merges) + "\n")

    tok = Tokenizer(models.BPE.from_file(str(OUT / "vocab.json"), str(OUT / "merges.txt")))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([EOT])
    cases = [{"text": s, "ids": tok.encode(s).ids} for s in STRINGS]
    assert any(len(c["ids"]) < len(c["text"].encode()) for c in cases)
    (OUT / "expected.json").write_text(
        json.dumps({"dropped_bytes": sorted(["00", "7a", "0a"]), "cases": cases}, ensure_ascii=True, indent=1) + "\n")
    print(f"{len(kept_vocab)} tokens, {len(kept_merges)} merges, {len(cases)} cases → {OUT}")


if __name__ == "__main__":
    main()
