import Collective
import Tuning

extension Trainer {
    /// The start-up lines of a data-parallel run: processes and hosts, each rank's share of a step, what the
    /// ranks exchange. Empty for one process.
    public var dataParallelOverview: [String] {
        let size = processes.size
        guard size > 1 else { return [] }
        let perBatch = (settings.batchSize + GradientShards.examples - 1) / GradientShards.examples
        let shards = perBatch * settings.gradientAccumulation
        let counts = RankShare.counts(count: shards, size: size)
        let floats = tuner.packedGradientCount
        let megabytes = Double(floats * 4) / 1_000_000
        var lines = [
            "data-parallel: \(size) processes (Open MPI) on \(processes.layoutDescription)",
            "data-parallel: each step's global batch of \(settings.batchSize)"
                + (settings.gradientAccumulation > 1 ? " × \(settings.gradientAccumulation) micro-batches" : "")
                + " is \(shards) shards of ≤\(GradientShards.examples) examples; ranks 0…\(size - 1) take"
                + " \(counts.map(String.init).joined(separator: ", ")) (contiguous, in shard order)",
            "data-parallel: per step each rank passes on \(floats) gradient floats"
                + " (\(megabytes < 10 ? format1(megabytes) : String(Int(megabytes.rounded()))) MB) in rank"
                + " order, then rank \(size - 1) broadcasts the sum: bit-identical to one process; rank 0 writes"
                + " \(settings.out)",
        ]
        if let idle = counts.firstIndex(of: 0) {
            lines.append(
                "data-parallel: warning: ranks \(idle)…\(size - 1) get no shard (a batch of \(settings.batchSize)"
                    + " makes \(shards)); they only wait — use fewer processes or a larger --batch-size")
        }
        return lines
    }
}

extension Trainer {
    /// The summary line of a data-parallel run: this rank's time in the gradient exchange per step (rank 0's,
    /// which waits for the whole fold and broadcast); nil for one process or before any step.
    public var dataParallelExchangeSummary: String? {
        guard processes.size > 1, steps.exchanges > 0 else { return nil }
        let perStep = steps.exchangeSeconds / Double(steps.exchanges)
        let share = times.trainSteps > 0 ? steps.exchangeSeconds / times.trainSteps * 100 : 0
        return "data-parallel: rank \(processes.rank) spent \(format1(perStep * 1000)) ms a step in the gradient"
            + " exchange (fold and broadcast, waiting for the other ranks included) over \(steps.exchanges) steps:"
            + " \(format1(share))% of the step time"
    }
}

extension Collective {
    /// "rank 0–1 on host-a, rank 2 on host-b": consecutive ranks on one host grouped.
    public var layoutDescription: String {
        var groups: [(host: String, first: Int, last: Int)] = []
        for (rank, host) in hosts.enumerated() {
            if let last = groups.last, last.host == host, last.last == rank - 1 {
                groups[groups.count - 1].last = rank
            } else {
                groups.append((host, rank, rank))
            }
        }
        let distinct = Set(hosts).count
        return "\(distinct) host\(distinct == 1 ? "" : "s"): "
            + groups.map { g in
                (g.first == g.last ? "rank \(g.first)" : "ranks \(g.first)–\(g.last)") + " on \(g.host)"
            }.joined(separator: ", ")
    }
}

private func format1(_ x: Double) -> String {
    let tenths = Int((x * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}
