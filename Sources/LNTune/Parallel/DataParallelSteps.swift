import Collective
import Datasets
import Foundation
import Kernels
import ResourceUsage
import Tuning

/// Optimizer steps shared by the processes of a run, with the bits of one process.
///
/// Every process holds the same parameters and optimizer state and sees the same global batch. It computes
/// the gradients of its own shards (`RankShare`: a contiguous run of the step's `GradientShards`, keyed by
/// their global index, so dropout draws the same masks), then the fold g₀ + g₁ + … that one process makes goes
/// from rank to rank: rank r receives the partial sum of the shards before its own, adds its shards in order
/// (an element-wise add of packed gradients: the very additions `Tuner.add` makes) and passes it on; the last
/// rank broadcasts the total, and every process takes the same optimizer step. Nothing is reduced in a
/// library's order, so the result does not depend on the number of processes.
///
/// The partial sums travel in pieces of `piece` floats, so rank r + 1 adds a piece while rank r sends the next
/// (a pipeline: about 2 × gradient size / bandwidth + (N − 1) × latency per step, whatever N).
/// One process: `Tuner.step` itself.
final class DataParallelSteps {
    let processes: any Collective
    let tuner: Tuner
    /// Floats per message of the partial sum (16 MB).
    static let piece = 1 << 22
    /// Where this rank's shards are computed; then where the total is unpacked for the step.
    private var scratch: ShardGradient?
    /// This rank's shard gradients of the current step, packed.
    private var packed: [[Float]] = []
    /// The fold so far: received from the rank before, added to, passed on.
    private var partial: [Float] = []
    /// Wall seconds this rank spent in the exchange (fold and broadcast, waiting for the other ranks included)
    /// over `exchanges` steps: the start-up and summary lines' cost of data parallelism.
    private(set) var exchangeSeconds = 0.0
    private(set) var exchanges = 0

    /// `LNTUNE_TEST_FAIL=RANK:STEP` makes rank RANK fail at step STEP (tests of what the other ranks do).
    private let injectedFailure: (rank: Int, step: Int)?

    init(processes: any Collective, tuner: Tuner) {
        self.processes = processes
        self.tuner = tuner
        let parts = (ProcessInfo.processInfo.environment["LNTUNE_TEST_FAIL"] ?? "").split(separator: ":")
        injectedFailure = parts.count == 2 ? Int(parts[0]).flatMap { r in Int(parts[1]).map { (r, $0) } } : nil
    }

    func step(batches: [TrainingBatch]) throws -> StepResult {
        if let injectedFailure, injectedFailure == (processes.rank, tuner.completedSteps + 1) {
            throw TuningError.invalidBatch(
                reason: "LNTUNE_TEST_FAIL: failure injected on rank \(processes.rank) at step \(injectedFailure.step)")
        }
        guard processes.size > 1 else { return try tuner.step(batches: batches) }
        guard !batches.isEmpty else { throw TuningError.invalidBatch(reason: "a step needs at least one micro-batch") }
        let shards = try GradientShards.split(batches, ignoreIndex: tuner.options.objective.ignoreIndex)
        let mine = RankShare.range(count: shards.count, rank: processes.rank, size: processes.size)
        let count = tuner.packedGradientCount
        let gradient = scratch ?? tuner.makeShardGradient()
        scratch = gradient
        if partial.count != count { partial = [Float](repeating: 0, count: count) }
        while packed.count < mine.count { packed.append([Float](repeating: 0, count: count)) }
        var totals: [GradientTotals] = []
        for (k, i) in mine.enumerated() {
            try tuner.computeGradient(of: shards[i], index: i, into: gradient)
            totals.append(packed[k].withUnsafeMutableBufferPointer { tuner.pack(gradient, into: $0) })
        }
        let stopwatch = Stopwatch()
        let total = try fold(totals, floats: count)
        exchangeSeconds += stopwatch.wallSeconds
        exchanges += 1
        partial.withUnsafeBufferPointer { tuner.unpack($0, totals: total, into: gradient) }
        return try tuner.applyStep(gradient)
    }

    /// The rank-to-rank fold of the step's shard gradients, then the broadcast of its result (in `partial`).
    private func fold(_ mine: [GradientTotals], floats count: Int) throws(CollectiveError) -> GradientTotals {
        let (rank, last) = (processes.rank, processes.size - 1)
        // Header: loss sum, target tokens, sequences, shards folded so far (counts as exact doubles).
        var header = rank == 0 ? [0.0, 0, 0, 0] : try processes.receive(Double.self, count: 4, from: rank - 1)
        let foldedBefore = Int(header[3])
        for t in mine {
            let values = [t.lossSum, Double(t.targetTokens), Double(t.sequences)]
            // The first shard of the step is taken as it is (as `Tuner.step` computes it straight into the
            // total), not added to a zero: 0 + (−0) would turn a negative zero positive.
            for j in 0..<3 { header[j] = header[3] == 0 ? values[j] : header[j] + values[j] }
            header[3] += 1
        }
        if rank < last { try processes.send(header, to: rank + 1) }
        let pieceSize = Self.piece
        try partial.withUnsafeMutableBufferPointer { (sum) throws(CollectiveError) in
            for start in stride(from: 0, to: count, by: pieceSize) {
                let n = min(pieceSize, count - start)
                let piece = UnsafeMutableRawBufferPointer(
                    rebasing: UnsafeMutableRawBufferPointer(sum)[
                        (start * 4)..<((start + n) * 4)])
                if rank > 0 { try processes.receive(into: piece, from: rank - 1) }
                for k in mine.indices {
                    packed[k].withUnsafeBufferPointer { shard in
                        guard let total = sum.baseAddress, let part = shard.baseAddress else { return }
                        if k == 0 && foldedBefore == 0 {
                            (total + start).update(from: part + start, count: n)
                        } else {
                            addInPlace(total + start, part + start, n)
                        }
                    }
                }
                if rank < last { try processes.send(UnsafeRawBufferPointer(piece), to: rank + 1) }
            }
            try processes.broadcast(UnsafeMutableRawBufferPointer(sum), root: last)
        }
        try processes.broadcast(&header, root: last)
        return GradientTotals(lossSum: header[0], targetTokens: Int(header[1]), sequences: Int(header[2]))
    }
}
