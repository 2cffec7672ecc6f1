"""Tokenizer encode throughput: lntune vs tiktoken vs HF tokenizers on the same texts, in one run.

    swift build -c release
    ../venv/bin/python eval/bench_tokenize.py [--repeats 5] [--lntune .build/release/lntune]

Texts: DialogSum test dialogues and E2E train references from ../shared/datasets (extracted with
eval/reference/dataset_texts.py), written to a temporary JSON file that `lntune bench tokenize` reads,
so every tokenizer encodes exactly the same strings. MB/s = UTF-8 bytes of the texts / best-of-N seconds.
The encoders take turns, one pass each per round, so a shared machine's changing load hits them alike.
HF tokenizers runs in subprocesses with RAYON_NUM_THREADS fixed (it reads it once, at import).
lntune's "cold" is the first pass after loading (empty word cache), the best of the rounds.
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


def timed(run) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of one call."""
    start, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - start, time.process_time() - cpu


def tiktoken_passes(texts: list[str]):
    """One timed pass per call for each tiktoken mode."""
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    from tiktoken_ext.openai_public import r50k_pat_str

    enc = tiktoken.Encoding("gpt2", pat_str=r50k_pat_str,
                            mergeable_ranks=load_tiktoken_bpe(str(SHARED / "gpt2/gpt2.tiktoken")),
                            special_tokens={"<|endoftext|>": 50256})
    return {
        "tiktoken encode_ordinary, 1 thread": lambda: timed(lambda: [enc.encode_ordinary(t) for t in texts]),
        "tiktoken encode_ordinary_batch, 2 threads":
            lambda: timed(lambda: enc.encode_ordinary_batch(texts, num_threads=2)),
    }


def hf_seconds(texts_file: str, threads: int) -> tuple[float, float]:
    """One pass in a subprocess (so RAYON_NUM_THREADS takes effect), after one untimed warm-up pass."""
    code = f"""
import json, time
from tokenizers import Tokenizer, models, pre_tokenizers
tok = Tokenizer(models.BPE.from_file("{SHARED}/gpt2/vocab.json", "{SHARED}/gpt2/merges.txt"))
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
texts = json.load(open("{texts_file}"))
tok.encode_batch(texts[:100], add_special_tokens=False)
start, cpu = time.perf_counter(), time.process_time()
tok.encode_batch(texts, add_special_tokens=False)
print(time.perf_counter() - start, time.process_time() - cpu)
"""
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="true")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def lntune_rates(binary: str, texts_file: str, threads: int) -> tuple[float, float, float]:
    """(cold, warm, warm per CPU-second) MB/s of one run: the first pass after loading, then one more."""
    out = subprocess.run(
        [binary, "bench", "tokenize", "--tokenizer", str(SHARED / "gpt2"), "--input", texts_file,
         "--threads", str(threads), "--repeats", "1"],
        capture_output=True, text=True, check=True).stdout
    cold = float(re.search(r"cold: ([\d.]+) MB/s", out).group(1))
    best = float(re.search(r"best: ([\d.]+) MB/s", out).group(1))
    cpu = float(re.search(r"cpu: ([\d.]+) MB per CPU-second", out).group(1))
    return cold, best, cpu


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
            mb = sum(len(t.encode()) for t in texts) / 1e6
            best: dict[str, float] = {}
            cold: dict[str, float] = {}
            per_cpu: dict[str, float] = {}
            passes = tiktoken_passes(texts)

            def keep(label: str, rate: float, table: dict) -> None:
                table[label] = max(table.get(label, 0.0), rate)

            for _ in range(args.repeats):
                for threads in (1, 2):
                    label = f"lntune, {threads} thread{'s' if threads > 1 else ''}"
                    first, warm, cpu = lntune_rates(args.lntune, texts_file, threads)
                    keep(label, warm, best)
                    keep(label, first, cold)
                    keep(label, cpu, per_cpu)
                for label, run in passes.items():
                    wall, cpu = run()
                    keep(label, mb / wall, best)
                    keep(label, mb / cpu, per_cpu)
                for threads in (1, 2):
                    label = f"HF tokenizers encode_batch, {threads} thread{'s' if threads > 1 else ''}"
                    wall, cpu = hf_seconds(texts_file, threads)
                    keep(label, mb / wall, best)
                    keep(label, mb / cpu, per_cpu)
            print(f"\n{name}: {len(texts):,} texts, {mb:.2f} MB (best of {args.repeats} interleaved rounds)")
            print(f"| {'encoder':<42} | MB/s (wall) | MB per CPU-s | cold MB/s |")
            print(f"|{'-' * 44}|-------------|--------------|-----------|")
            for label, rate in best.items():
                first = f"{cold[label]:.1f}" if label in cold else ""
                print(f"| {label:<42} | {rate:.1f} | {per_cpu[label]:.1f} | {first} |")
        finally:
            os.unlink(texts_file)


if __name__ == "__main__":
    main()
