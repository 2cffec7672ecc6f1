"""Train the tiny byte-level BPE used by the core tokenizer tests (no ../shared needed).

Trains HF `tokenizers`' ByteLevelBPETokenizer (GPT-2's pre-tokenizer and byte table) on
`tiny_bpe_corpus.txt`, a few KB of restaurant descriptions and dialogues written for this project,
and saves `Tests/Fixtures/tiny-bpe/{vocab.json,merges.txt}`.

    ../venv/bin/python eval/reference/train_tiny_bpe.py

Training is deterministic for a given corpus and tokenizers version (0.23.3 made the committed files);
`make_tokenizer_fixtures.py` computes the expected ids from the saved files, so regenerating both keeps
them consistent.
"""

from pathlib import Path

from tokenizers import ByteLevelBPETokenizer

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).with_name("tiny_bpe_corpus.txt")
OUT = ROOT / "Tests/Fixtures/tiny-bpe"
VOCAB_SIZE = 700


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train(
        [str(CORPUS)],
        vocab_size=VOCAB_SIZE,
        min_frequency=2,
        special_tokens=["<|endoftext|>"],
        show_progress=False,
    )
    tokenizer.save_model(str(OUT))
    print(f"vocabulary size {tokenizer.get_vocab_size()} -> {OUT}")


if __name__ == "__main__":
    main()
