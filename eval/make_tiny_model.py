#!/usr/bin/env python3
"""Rebuild data/tiny-model/: the small GPT-2 the quickstart tunes, pretrained by LNTune's own trainer.

Everything in the model is the project's own work:

1. Corpus. The grammar of eval/make_sample_data.py, run with other seeds, writes restaurant descriptions —
   target sentences only, no meaning representations — into WORK/corpus-{train,dev}.txt, one per line.
   Meaning representations that occur in data/sample/ are never used, and no sentence of data/sample/ is
   kept, so the quickstart's dev and test sets stay unseen.
2. Tokenizer. HF `tokenizers`' ByteLevelBPETokenizer (GPT-2's byte table and pre-tokenizer) trained on the
   corpus: vocab.json + merges.txt with at most VOCAB_SIZE ids (the grammar's small vocabulary saturates
   below it); <|endoftext|> is id 0, recorded as bos/eos in config.json.
3. Initialisation. transformers' GPT2LMHeadModel with CONFIG, seeded, saved with save_pretrained.
4. Pretraining. `lntune train --method full --task text` on the corpus (the trainer's `text` task: each
   line a document read as " line <|endoftext|>" after <|endoftext|>, exactly how the table-to-text
   templates present targets). The best dev-loss model becomes data/tiny-model/ (config.json,
   model.safetensors), with the tokenizer files and the pretraining's run.json (settings, data hashes).

    swift build -c release
    ../venv/bin/python eval/make_tiny_model.py [--lntune .build/release/lntune] [--work ../lntune-tiny-model]

The model is then a language model of restaurant descriptions that has never seen an MR; tuning it on
data/sample/ (MR -> text) has something to learn, which the quickstart shows as falling dev loss. Rebuilding
gives the same corpus and tokenizer byte for byte; the weights depend on torch's initialiser and the BLAS
summation order, so they match closely, not bitwise, across machines.
"""
import argparse
import csv
import importlib.util
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data/tiny-model"
CORPUS_SEED = 8_675_309
DOCUMENTS = {"train": 12_000, "dev": 600}
VOCAB_SIZE = 1024
CONFIG = dict(vocab_size=None, n_positions=256, n_embd=128, n_layer=4, n_head=4)  # vocab from the tokenizer
INIT_SEED = 0
TRAIN_ARGS = [
    "--method", "full", "--epochs", "3", "--batch-size", "32", "--lr", "2e-3", "--warmup", "100",
    "--weight-decay", "0.01", "--seed", "1", "--eval-every", "250",
]


def load_grammar():
    spec = importlib.util.spec_from_file_location("make_sample_data", ROOT / "eval/make_sample_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines the grammar; main() runs only as a script
    return module


def sample_files():
    mrs, refs = set(), set()
    for name in ("train.csv", "dev.csv", "test.csv"):
        with open(ROOT / "data/sample" / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                mrs.add(row["mr"])
                refs.add(row["ref"])
    return mrs, refs


def write_corpus(work: Path) -> dict:
    grammar = load_grammar()
    banned_mrs, banned_refs = sample_files()
    rng = random.Random(CORPUS_SEED)
    seen = set()
    paths = {}
    for split, count in DOCUMENTS.items():
        lines = []
        while len(lines) < count:
            mr = grammar.random_mr(rng)
            if grammar.mr_string(mr) in banned_mrs:
                continue
            text = grammar.realise(mr, rng)
            if text in banned_refs or text in seen:
                continue
            seen.add(text)
            lines.append(text)
        paths[split] = work / f"corpus-{split}.txt"
        paths[split].write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{paths[split]}: {len(lines)} documents")
    return paths


def train_tokenizer(corpus: Path, folder: Path) -> int:
    from tokenizers import ByteLevelBPETokenizer

    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train([str(corpus)], vocab_size=VOCAB_SIZE, min_frequency=2, special_tokens=["<|endoftext|>"],
                    show_progress=False)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_model(str(folder))
    size = tokenizer.get_vocab_size()
    print(f"tokenizer: {size} ids -> {folder}")
    return size


def initialise(folder: Path, vocab_size: int) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(INIT_SEED)
    config = GPT2Config(**{**CONFIG, "vocab_size": vocab_size}, bos_token_id=0, eos_token_id=0)
    model = GPT2LMHeadModel(config)
    model.save_pretrained(str(folder))
    print(f"initial model: {sum(p.numel() for p in model.parameters())} parameters -> {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lntune", type=Path, default=ROOT / ".build/release/lntune")
    parser.add_argument("--work", type=Path, default=ROOT.parent / "lntune-tiny-model")
    parser.add_argument("--corpus-only", action="store_true", help="write the corpus and tokenizer, then stop")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = write_corpus(args.work)
    tokenizer = args.work / "tokenizer"
    vocab_size = train_tokenizer(corpus["train"], tokenizer)
    if args.corpus_only:
        return
    init = args.work / "init"
    initialise(init, vocab_size)
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(tokenizer / name, init / name)
    eot = json.loads((tokenizer / "vocab.json").read_text())["<|endoftext|>"]
    config = json.loads((init / "config.json").read_text())
    config["bos_token_id"] = config["eos_token_id"] = eot
    (init / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")

    run = args.work / "pretrain"
    command = [str(args.lntune), "train", "--model", str(init), "--task", "text", "--train", str(corpus["train"]),
               "--dev", str(corpus["dev"]), "--out", str(run), "--overwrite", "--log-every", "50", *TRAIN_ARGS]
    print("$", " ".join(command), flush=True)
    start = time.time()
    subprocess.run(command, check=True)
    print(f"pretraining took {time.time() - start:.0f} s")

    OUT.mkdir(parents=True, exist_ok=True)
    best = run / "best"
    for name in ("config.json", "model.safetensors"):
        shutil.copy(best / name, OUT / name)
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(tokenizer / name, OUT / name)
    shutil.copy(run / "run.json", OUT / "pretrain_run.json")
    size = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"wrote {OUT} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    sys.exit(main())
