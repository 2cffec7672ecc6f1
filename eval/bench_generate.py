#!/usr/bin/env python3
"""Decoding throughput: transformers' `generate` against `lntune bench generate`, same model, same run.

    ../venv/bin/python eval/make_random_gpt2.py --config small --out ../gpt2-small-random
    swift build -c release
    ../venv/bin/python eval/bench_generate.py --model ../gpt2-small-random

Cases (EOS disabled so every sequence runs to --new-tokens; prefill included in the time): greedy at batch 1,
greedy at batch --batch-size, beam search with --num-beams on one prompt. Prompts are the same deterministic token
ids the Swift command uses. transformers runs float32 on the CPU with torch.set_num_threads(2), KV cache on. Best of
--repeats for each side; new tokens per second = prompts × new tokens / seconds (beam search: the returned
sequence's tokens, as for greedy).

`--baseline PATH` also runs a second lntune binary (e.g. a build of main kept aside) right after the first, and
adds its column: before/after figures from the same run as the transformers reference.
"""
import argparse
import json
import pathlib
import subprocess
import time

import torch
from transformers import GPT2LMHeadModel

ROOT = pathlib.Path(__file__).resolve().parents[1]


def prompts(count, length, vocab):
    return [[(r * 7919 + i * 104729 + 13) % (vocab - 1) for i in range(length)] for r in range(count)]


@torch.no_grad()
def hf_case(model, count, beams, args):
    ids = torch.tensor(prompts(count, args.prompt_length, model.config.vocab_size))
    kw = dict(max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens, do_sample=False, num_beams=beams,
              pad_token_id=0, eos_token_id=None, attention_mask=torch.ones_like(ids))
    model.generate(ids, **{**kw, "max_new_tokens": 2, "min_new_tokens": 2})  # warm-up
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        out = model.generate(ids, **kw)
        best = min(best, time.perf_counter() - start)
        assert out.shape[1] == args.prompt_length + args.new_tokens
    return count * args.new_tokens / best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT.parent / "gpt2-small-random"))
    parser.add_argument("--lntune", default=str(ROOT / ".build" / "release" / "lntune"))
    parser.add_argument("--prompt-length", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--num-beams", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", help="a second lntune binary to time in the same run (before/after)")
    args = parser.parse_args()

    torch.set_num_threads(2)
    model = GPT2LMHeadModel.from_pretrained(args.model, dtype=torch.float32).eval()
    hf = {
        ("greedy", 1): hf_case(model, 1, 1, args),
        ("greedy", args.batch_size): hf_case(model, args.batch_size, 1, args),
        (f"beam-{args.num_beams}", 1): hf_case(model, 1, args.num_beams, args),
    }
    del model

    def lntune(binary):
        def run(batch_flag, beams_flag):
            return subprocess.run(
                [binary, "bench", "generate", "--model", args.model, "--prompt-length", str(args.prompt_length),
                 "--new-tokens", str(args.new_tokens), batch_flag, str(args.batch_size), beams_flag,
                 str(args.num_beams), "--repeats", str(args.repeats), "--json"], capture_output=True, text=True)
        result = run("--batch-size", "--num-beams")
        if result.returncode != 0 and "Unknown option" in result.stderr:
            result = run("--batch", "--beams")  # a --baseline build from before the bench flags were renamed
        result.check_returncode()
        rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
        # The first line names the CPU (builds since the Benchmarks target); the others are one mode each.
        return {(r["mode"], r["prompts"]): r["tokens_per_s"] for r in rows if "mode" in r}

    swift = lntune(args.lntune)
    base = lntune(args.baseline) if args.baseline else None
    print(f"prompt {args.prompt_length} tokens, {args.new_tokens} new tokens, best of {args.repeats}, "
          f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    if base is None:
        print("| mode | prompts | transformers tokens/s | lntune tokens/s | ratio |")
        print("|---|---:|---:|---:|---:|")
    else:
        print(f"baseline: {args.baseline}")
        print("| mode | prompts | transformers tokens/s | baseline tokens/s | lntune tokens/s | ratio | vs baseline |")
        print("|---|---:|---:|---:|---:|---:|---:|")
    for key, rate in hf.items():
        ours = swift[key]
        if base is None:
            print(f"| {key[0]} | {key[1]} | {rate:.1f} | {ours:.1f} | {ours / rate:.2f}× |")
        else:
            print(f"| {key[0]} | {key[1]} | {rate:.1f} | {base[key]:.1f} | {ours:.1f} | {ours / rate:.2f}× "
                  f"| {ours / base[key]:.2f}× |")


if __name__ == "__main__":
    main()
