"""Tokenizer encode throughput: lntune vs tiktoken vs HF tokenizers on the same texts, in one run.

    swift build -c release
    /work/venv/bin/python eval/bench_tokenize.py [--repeats 5] [--lntune .build/release/lntune]

Texts: DialogSum test dialogues and E2E train references from /work/shared/datasets (extracted with
eval/reference/dataset_texts.py), written to a temporary JSON file that `lntune bench tokenize` reads,
so every tokenizer encodes exactly the same strings. MB/s = UTF-8 bytes of the texts / best-of-N seconds.
HF tokenizers runs in subprocesses with RAYON_NUM_THREADS fixed (it reads it once, at import).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "eval/reference"))


def load_texts() -> dict[str, list[str]]:
    from dataset_texts import file_fields

    datasets = SHARED / "datasets"
    return {
        "DialogSum test dialogues": file_fields(datasets / "dialogsum/dialogsum.test.jsonl")["dialogue"],
        "E2E train refs": file_fields(datasets / "e2e/trainset.csv")["ref"],
    }


def best_of(repeats: int, run) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def tiktoken_rates(texts: list[str], repeats: int) -> dict[str, float]:
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    from tiktoken_ext.openai_public import r50k_pat_str

    enc = tiktoken.Encoding("gpt2", pat_str=r50k_pat_str,
                            mergeable_ranks=load_tiktoken_bpe(str(SHARED / "gpt2/gpt2.tiktoken")),
                            special_tokens={"<|endoftext|>": 50256})
    mb = sum(len(t.encode()) for t in texts) / 1e6
    return {
        "tiktoken encode_ordinary, 1 thread": mb / best_of(repeats, lambda: [enc.encode_ordinary(t) for t in texts]),
        "tiktoken encode_ordinary_batch, 2 threads":
            mb / best_of(repeats, lambda: enc.encode_ordinary_batch(texts, num_threads=2)),
    }


def hf_rate(texts_file: str, threads: int, repeats: int) -> float:
    """Runs in a subprocess so RAYON_NUM_THREADS takes effect."""
    code = f"""
import json, time
from tokenizers import Tokenizer, models, pre_tokenizers
tok = Tokenizer(models.BPE.from_file("{SHARED}/gpt2/vocab.json", "{SHARED}/gpt2/merges.txt"))
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
texts = json.load(open("{texts_file}"))
best = float("inf")
for _ in range({repeats}):
    start = time.perf_counter()
    tok.encode_batch(texts, add_special_tokens=False)
    best = min(best, time.perf_counter() - start)
print(sum(len(t.encode()) for t in texts) / 1e6 / best)
"""
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="true")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def lntune_rates(binary: str, texts_file: str, threads: int, repeats: int) -> tuple[float, float]:
    out = subprocess.run(
        [binary, "bench", "tokenize", "--tokenizer", str(SHARED / "gpt2"), "--input", texts_file,
         "--threads", str(threads), "--repeats", str(repeats)],
        capture_output=True, text=True, check=True).stdout
    cold = float(re.search(r"cold: ([\d.]+) MB/s", out).group(1))
    best = float(re.search(r"best: ([\d.]+) MB/s", out).group(1))
    return cold, best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lntune", default=str(ROOT / ".build/release/lntune"))
    args = parser.parse_args()
    for name, texts in load_texts().items():
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(texts, f)
            texts_file = f.name
        try:
            size = sum(len(t.encode()) for t in texts)
            rows = {}
            for threads in (1, 2):
                cold, best = lntune_rates(args.lntune, texts_file, threads, args.repeats)
                rows[f"lntune, {threads} thread{'s' if threads > 1 else ''} (warm cache; cold first pass)"] = \
                    f"{best:7.2f}  ({cold:.2f} cold)"
            for label, rate in tiktoken_rates(texts, args.repeats).items():
                rows[label] = f"{rate:7.2f}"
            for threads in (1, 2):
                rows[f"HF tokenizers encode_batch, {threads} thread{'s' if threads > 1 else ''}"] = \
                    f"{hf_rate(texts_file, threads, args.repeats):7.2f}"
            print(f"\n{name}: {len(texts):,} texts, {size / 1e6:.2f} MB (best of {args.repeats})")
            print(f"| {'encoder':<58} | MB/s |")
            print(f"|{'-' * 60}|------|")
            for label, rate in rows.items():
                print(f"| {label:<58} | {rate} |")
        finally:
            os.unlink(texts_file)


if __name__ == "__main__":
    main()
