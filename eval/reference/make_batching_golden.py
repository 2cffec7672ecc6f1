#!/usr/bin/env python3
"""Writes Tests/Fixtures/datasets/batching-golden.json: SplitMix64 outputs, a shuffle and whole epoch plans
computed by an independent Python implementation of the documented algorithm (Sources/Datasets/ShuffleRNG.swift
and Batcher.swift). The Swift tests must reproduce them bit for bit, which pins the data order across runs,
machines and Swift versions.

Usage: python3 eval/reference/make_batching_golden.py   (standard library only)
"""
import json
from pathlib import Path

M = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


class SplitMix64:
    def __init__(self, seed, stream=None):
        self.state = seed & M if stream is None else mix(seed ^ mix((stream + GAMMA) & M))

    def next(self):
        self.state = (self.state + GAMMA) & M
        return mix(self.state)

    def below(self, n):
        threshold = (2**64 - n) % n  # 2^64 mod n
        while True:
            r = self.next()
            if r >= threshold:
                return r % n

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def plan(lengths, batch_size, seed, epoch, window_batches, drop_last):
    rng = SplitMix64(seed, epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = window_batches * batch_size
    batches = []
    for start in range(0, len(order), window):
        chunk = order[start:start + window]
        bucket = [e for _, e in sorted(enumerate(chunk), key=lambda p: (-lengths[p[1]], p[0]))]
        for b in range(0, len(bucket), batch_size):
            rows = bucket[b:b + batch_size]
            if len(rows) < batch_size and drop_last:
                continue
            batches.append(rows)
    rng.shuffle(batches)
    return batches


lengths = [5, 9, 3, 12, 7, 7, 2, 15, 8, 4, 11, 6, 9, 3, 10, 14, 1, 6, 13, 5, 8, 2, 7]
g = SplitMix64(0)
golden = {
    "splitmix64_seed0": [str(g.next()) for _ in range(4)],
    "stream_seed42_epoch3": (lambda r: [str(r.next()) for _ in range(3)])(SplitMix64(42, 3)),
    "shuffle_0_to_9_seed7": (lambda r, xs: (r.shuffle(xs), xs)[1])(SplitMix64(7), list(range(10))),
    "lengths": lengths,
    "plans": [
        {"batch_size": 4, "seed": 1234, "epoch": e, "window": 2, "drop_last": d,
         "batches": plan(lengths, 4, 1234, e, 2, d)}
        for e in (0, 1) for d in (False, True)
    ],
}
out = Path(__file__).resolve().parents[2] / "Tests/Fixtures/datasets/batching-golden.json"
out.write_text(json.dumps(golden, indent=1) + "\n")
print("wrote", out)
