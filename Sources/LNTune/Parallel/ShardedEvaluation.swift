import Collective
import Foundation
import GPT2
import Tuning

extension DevEvaluator {
    /// The dev loss with the batches shared among the processes (`RankShare`): the sums pass from rank to rank
    /// in batch order, so the result has the bits of `loss(_:stop:)` in one process. No stop requests: ranks
    /// that disagreed about stopping would wait for each other (under `mpirun`, Ctrl-C ends the job).
    func loss(_ tuner: Tuner, processes: any Collective, progress: (Int) -> Void) throws -> Double {
        let (rank, last) = (processes.rank, processes.size - 1)
        var sums = rank == 0 ? [0.0, 0] : try processes.receive(Double.self, count: 2, from: rank - 1)
        for (done, i) in RankShare.range(count: batches.count, rank: rank, size: processes.size).enumerated() {
            let result = try tuner.loss(batches[i], options: LossOptions(reduction: .sum))
            sums[0] += result.loss
            sums[1] += Double(result.targetCount)
            progress(done + 1)
        }
        if rank < last { try processes.send(sums, to: rank + 1) }
        try processes.broadcast(&sums, root: last)
        return sums[1] == 0 ? .nan : sums[0] / sums[1]
    }
}

extension Collective {
    /// Rank 0's result of `body` on every rank (its bits: each value travels as its bit pattern); the other
    /// ranks do not run `body`. For the `--eval-metrics` scores, which only rank 0 computes.
    func fromRoot(_ body: () throws -> [String: Double]?) throws -> [String: Double]? {
        guard size > 1 else { return try body() }
        var bytes: [UInt8] = []
        if isRoot, let scores = try body() {
            let encoded = scores.mapValues(\.bitPattern)
            bytes = try JSONEncoder().encode(encoded).map { $0 }
        }
        let shared = try broadcast(bytes: bytes, root: 0)
        guard !shared.isEmpty else { return nil }
        return try JSONDecoder().decode([String: UInt64].self, from: Data(shared)).mapValues(Double.init(bitPattern:))
    }
}
