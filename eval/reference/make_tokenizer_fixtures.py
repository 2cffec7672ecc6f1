"""Expected token ids for the Swift GPT-2 tokenizer tests, from the reference implementations.

    ../venv/bin/python eval/reference/make_tokenizer_fixtures.py [--skip-datasets]

References (all local files, no network):
- HF `tokenizers` BPE built from ../shared/gpt2/{vocab.json,merges.txt} with GPT-2's ByteLevel
  pre-tokenizer and decoder (what transformers' GPT2TokenizerFast wraps; cross-checked against it);
- tiktoken from ../shared/gpt2/gpt2.tiktoken with GPT-2's pattern;
- HF `tokenizers` on the tiny BPE in Tests/Fixtures/tiny-bpe/ (see train_tiny_bpe.py).
Every GPT-2 expectation is asserted equal under HF and tiktoken before it is written.

Writes into Tests/Fixtures/tokenizer/:
- strings.json        the adversarial and random strings (ASCII-escaped JSON)
- gpt2-expected.json  ids under each special-token policy, and decode cases, for the real GPT-2 files
- tiny-expected.json  the same for the tiny BPE
- dataset-digests.json  a digest of the GPT-2 ids of every text field of every file in
                        ../shared/datasets (extraction rules in dataset_texts.py)
"""

import argparse
import json
import random
import sys
from pathlib import Path

import tiktoken
from tiktoken.load import load_tiktoken_bpe
from tiktoken_ext.openai_public import r50k_pat_str
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

sys.path.insert(0, str(Path(__file__).parent))
from adversarial_strings import adversarial_strings  # noqa: E402
from dataset_texts import dataset_fields  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "Tests/Fixtures/tokenizer"
EOT = "<|endoftext|>"
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def hf_bpe(folder: Path, special: bool) -> Tokenizer:
    """GPT-2's HF pipeline: BPE from the files, ByteLevel pre-tokenizer (no prefix space) and decoder."""
    tok = Tokenizer(models.BPE.from_file(str(folder / "vocab.json"), str(folder / "merges.txt")))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    if special:
        tok.add_special_tokens([EOT])
    return tok


def random_strings(count: int, seed: int) -> list[str]:
    """Short strings drawn from a pool that stresses every branch of the pre-tokenizer."""
    pool = (
        list("abcXYZ019 '") * 3
        + ["'s", "'S", "'t", "'re", "'RE", "'ve", "'m", "'ll", "'LL", "'d", "'D", "’s"]
        + ["\t", "\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2002", "\u200a",
           "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\ufeff", "\u180e", "  ", "   "]
        + ["é", "e\u0301", "ß", "Ω", "ж", "中", "文", "😀", "👍🏽", "👨\u200d👩\u200d👧", "\U0001F1EF\U0001F1F5"]
        + ["٣", "३", "Ⅻ", "½", "²", "①", "𝟘", "!", "?", ".", ",", "-", "_", "$", "€", "£", "<|", "|>", EOT]
        + ["\x00", "\x07", "\x7f", "\ue000", "\U0010fffd", "ﬁ", "İ", "ǅ", "ʰ", "ー"]
    )
    rng = random.Random(seed)
    return ["".join(rng.choice(pool) for _ in range(rng.randint(1, 24))) for _ in range(count)]


def reject_location(text: str) -> dict | None:
    """Where `.reject` must report the first special token: 1-based line, byte offset within the line."""
    at = text.find(EOT)
    if at < 0:
        return None
    before = text[:at]
    line_start = before.rfind("\n") + 1
    return {"line": before.count("\n") + 1, "byteOffset": len(before[line_start:].encode("utf-8"))}


def expectations(strings: list[str], with_special: Tokenizer, plain: Tokenizer, tt) -> dict:
    allow = [e.ids for e in with_special.encode_batch(strings, add_special_tokens=True)]
    text = [e.ids for e in plain.encode_batch(strings, add_special_tokens=False)]
    if tt is not None:
        assert allow == [tt.encode(s, allowed_special="all") for s in strings], "HF and tiktoken differ (allow)"
        assert text == [tt.encode_ordinary(s) for s in strings], "HF and tiktoken differ (text)"
        for s in strings:
            try:
                tt.encode(s)
                assert EOT not in s
            except ValueError:
                assert EOT in s
    # `text` is stored only where it differs from `allow` (strings holding the special token).
    return {
        "allow": allow,
        "text": {str(i): ids for i, ids in enumerate(text) if ids != allow[i]},
        "reject": {str(i): loc for i, s in enumerate(strings) if (loc := reject_location(s)) is not None},
    }


def decode_cases(tok: Tokenizer, vocab_size: int, tt, seed: int) -> list[dict]:
    """Id sequences, many of them broken UTF-8, with the lossy decode both references agree on."""
    table = decoders_byte_table()
    byte_id = {table[t]: i for t, i in tok.get_vocab().items() if len(t) == 1 and t in table}
    broken = [b"\xe2\x82", b"\xe2\x82\xac", b"\xf0\x9f\x98", b"\xf0\x9f\x98a", b"\xc0\xaf", b"\xed\xa0\x80",
              b"\xff", b"\xfe\xfe", b"\x80\x80\x80", b"a\xe2\x28\xa1b", b"\xf4\x90\x80\x80", b"\xe0\x80\xaf",
              b"\xf0\x90\x80", b"\xc3", b"\xc3\xa9\xc3"]
    rng = random.Random(seed)
    sequences = [[byte_id[b] for b in raw] for raw in broken]
    sequences += [[rng.randrange(vocab_size) for _ in range(rng.randint(1, 12))] for _ in range(60)]
    cases = []
    for ids in sequences:
        text = tok.decode(ids, skip_special_tokens=False)
        if tt is not None:
            assert text == tt.decode(ids), f"HF and tiktoken decode differ on {ids}"
        cases.append({"ids": ids, "text": text})
    return cases


def decoders_byte_table() -> dict[str, int]:
    """GPT-2's unicode->byte table (inverse of bytes_to_unicode)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def write_json(name: str, value) -> None:
    path = OUT / name
    path.write_text(json.dumps(value, ensure_ascii=True, separators=(",", ":")) + "\n")
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


FNV_OFFSET, FNV_PRIME, MASK = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1


def fnv1a64(texts_ids) -> int:
    """FNV-1a over 64-bit words: each id as id + 1, then 0 after each text. Every step is a bijection of
    the state, so changing any single id (or moving a text boundary) always changes the digest."""
    h = FNV_OFFSET
    for ids in texts_ids:
        for i in ids:
            h = ((h ^ (i + 1)) * FNV_PRIME) & MASK
        h = (h * FNV_PRIME) & MASK
    return h


def dataset_digests(tok: Tokenizer) -> dict:
    """Per file and field: text count, token count, UTF-8 bytes, and the FNV-1a-64 digest of the ids,
    whole and per chunk of 1000 texts (so a failing Swift test can say where the difference is)."""
    files = []
    for rel, fields in dataset_fields(SHARED / "datasets"):
        entry = {"path": rel, "fields": []}
        for field, texts in fields:
            assert all(EOT not in t for t in texts), f"{rel}:{field} holds {EOT}"
            ids = [e.ids for e in tok.encode_batch(texts, add_special_tokens=True)]
            entry["fields"].append({
                "field": field, "texts": len(texts), "tokens": sum(map(len, ids)),
                "bytes": sum(len(t.encode()) for t in texts), "digest": f"{fnv1a64(ids):016x}",
                "chunks": [f"{fnv1a64(ids[i:i + 1000]):016x}" for i in range(0, len(ids), 1000)],
            })
        files.append(entry)
        print(f"  {rel}: {sum(f['texts'] for f in entry['fields']):,} texts")
    return {"policy": "allow", "digest": "fnv1a64 over words id+1, word 0 after each text", "chunkSize": 1000,
            "files": files}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-datasets", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    named = adversarial_strings()
    strings = [s for _, s in named] + random_strings(250, seed=20240601)
    names = [n for n, _ in named] + [f"random {i}" for i in range(250)]
    write_json("strings.json", {"names": names, "strings": strings})

    gpt2 = SHARED / "gpt2"
    tt = tiktoken.Encoding(
        "gpt2-local", pat_str=GPT2_PATTERN, mergeable_ranks=load_tiktoken_bpe(str(gpt2 / "gpt2.tiktoken")),
        special_tokens={EOT: 50256})
    hf_special, hf_plain = hf_bpe(gpt2, special=True), hf_bpe(gpt2, special=False)
    # tiktoken ships an equivalent, faster spelling of the pattern (possessive, `\s++$`, final `\s`).
    shipped = tiktoken.Encoding("gpt2-shipped-pattern", pat_str=r50k_pat_str, mergeable_ranks=tt._mergeable_ranks,
                                special_tokens={EOT: 50256})
    assert [shipped.encode_ordinary(x) for x in strings] == [tt.encode_ordinary(x) for x in strings]
    try:  # transformers' own GPT-2 tokenizer class, as a third opinion
        from transformers import GPT2TokenizerFast
        tf = GPT2TokenizerFast.from_pretrained(str(gpt2), local_files_only=True)
        assert [tf(s, add_special_tokens=False)["input_ids"] for s in strings] == \
            [e.ids for e in hf_special.encode_batch(strings)], "transformers differs"
        print("transformers GPT2TokenizerFast agrees with the HF pipeline")
    except OSError as error:
        print(f"transformers cross-check skipped: {error}")
    gpt2_expected = expectations(strings, hf_special, hf_plain, tt)
    gpt2_expected["decode"] = decode_cases(hf_special, 50257, tt, seed=7)
    gpt2_expected["vocabularySize"] = 50257
    gpt2_expected["endOfTextID"] = 50256
    write_json("gpt2-expected.json", gpt2_expected)

    tiny = ROOT / "Tests/Fixtures/tiny-bpe"
    tiny_special, tiny_plain = hf_bpe(tiny, special=True), hf_bpe(tiny, special=False)
    tiny_expected = expectations(strings, tiny_special, tiny_plain, None)
    tiny_expected["decode"] = decode_cases(tiny_special, tiny_special.get_vocab_size(), None, seed=8)
    tiny_expected["vocabularySize"] = tiny_special.get_vocab_size()
    tiny_expected["endOfTextID"] = tiny_special.token_to_id(EOT)
    write_json("tiny-expected.json", tiny_expected)

    if not args.skip_datasets:
        write_json("dataset-digests.json", dataset_digests(hf_special))


if __name__ == "__main__":
    main()
