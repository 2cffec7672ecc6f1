"""Projected data-parallel step time and efficiency on N machines, for BENCHMARKS.md ("Open MPI").

The model of one step of `mpirun lntune train` on N machines with r ranks each (R = N r ranks), from measured
figures:
- compute: the global batch is G/4 shards of 4 examples; each rank computes its ceil(G/(4R)) shards one after
  the other at `shard_seconds` each (measured: a rank's step time / its shards per step);
- exchange: the partial sum passes rank to rank (R - 1 hops, each a 32-byte header and the S-byte gradient;
  gradients over 16 MB go in 16 MB pieces, pipelined), then the last rank broadcasts header and sum (a binomial
  tree: ceil(log2 R) rounds); a message of b bytes costs latency + b / bandwidth (every hop priced as one
  between machines, though r - 1 of them are inside one).
Efficiency = (one machine's step time) / (N x the N-machine step time).

  python3 eval/project_mpi.py --shard-seconds 1.16 --ranks-per-machine 2 --latency-us 7.8 --bandwidth-mbs 3224
"""

import argparse
import math

PIECE = 16 << 20


def exchange_seconds(n, gradient_bytes, latency, bandwidth):
    if n == 1:
        return 0.0
    hop = lambda b: latency + b / bandwidth
    pieces = max(1, math.ceil(gradient_bytes / PIECE))
    piece = gradient_bytes / pieces
    # The chain: the first piece crosses N - 1 hops, the other pieces follow one hop behind each other.
    chain = (n - 1) * (hop(32) + hop(piece)) + (pieces - 1) * hop(piece)
    rounds = math.ceil(math.log2(n))
    broadcast = rounds * (hop(32) + hop(gradient_bytes))
    return chain + broadcast


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shard-seconds", type=float, required=True, help="GPT-2 small, one shard, one machine")
    parser.add_argument("--latency-us", type=float, required=True)
    parser.add_argument("--bandwidth-mbs", type=float, required=True)
    parser.add_argument("--ranks-per-machine", type=int, default=1)
    parser.add_argument("--global-batch", type=int, default=256)
    parser.add_argument("--medium-factor", type=float, default=2.85, help="medium/small FLOPs per token")
    parser.add_argument("--full-factor", type=float, default=1.5, help="full/LN step time (measured)")
    parser.add_argument("--methods", default="ln,full")
    args = parser.parse_args()
    latency = args.latency_us * 1e-6
    bandwidth = args.bandwidth_mbs * 1e6
    shards = args.global_batch // 4
    models = [
        ("small, ln", args.shard_seconds, 38_400 * 4),
        ("medium, ln", args.shard_seconds * args.medium_factor, 100_352 * 4),
        ("small, full", args.shard_seconds * args.full_factor, 124_439_808 * 4),
        ("medium, full", args.shard_seconds * args.medium_factor * args.full_factor, 354_823_168 * 4),
    ]
    print(
        f"global batch {args.global_batch} ({shards} shards); latency {args.latency_us} us,"
        f" bandwidth {args.bandwidth_mbs} MB/s"
    )
    print("| model, method | gradient | machines | compute s | exchange s | step s | efficiency |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    methods = args.methods.split(",")
    for name, shard_seconds, gradient_bytes in models:
        if name.split(", ")[1] not in methods:
            continue
        r = args.ranks_per_machine

        def step_seconds(n):
            compute = math.ceil(shards / (n * r)) * shard_seconds
            exchange = exchange_seconds(n * r, gradient_bytes, latency, bandwidth)
            return compute, exchange, compute + exchange

        one = step_seconds(1)[2]
        for n in [1, 4, 8, 16, 64]:
            compute, exchange, step = step_seconds(n)
            print(
                f"| {name} | {gradient_bytes / 1e6:.2f} MB | {n} | {compute:.3f} | {exchange:.4f} | {step:.3f} |"
                f" {one / (n * step) * 100:.1f}% |"
            )


if __name__ == "__main__":
    main()
