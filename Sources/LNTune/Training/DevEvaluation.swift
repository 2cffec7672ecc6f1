import Collective
import Datasets
import Foundation
import GPT2
import Tuning

/// The dev loss: Σ token losses / Σ target tokens over the whole dev split (token mean, the training
/// objective's reduction), with the current trainable values. Batches are formed once, rows sorted by
/// length so little padding is computed.
public struct DevEvaluator: Sendable {
    public let batches: [TrainingBatch]
    public let targetTokens: Int
    /// Tokens the model computes per evaluation, padding included (for the time estimate before the first).
    public let paddedTokens: Int

    public init(sequences: [EncodedSequence], batchSize: Int, padID: Int32) throws {
        let batcher = try Batcher(sequences: sequences, batchSize: batchSize, seed: 0, padID: padID)
        let order = sequences.indices.sorted { sequences[$0].tokens.count > sequences[$1].tokens.count }
        batches = try stride(from: 0, to: order.count, by: batchSize).map { start in
            try TrainingBatch(batcher.assemble(Array(order[start..<(start + min(batchSize, order.count - start))])))
        }
        targetTokens = sequences.reduce(0) { $0 + $1.tokens.count - $1.targetStart }
        paddedTokens = batches.reduce(0) { $0 + $1.tokens.tokens.count }
    }

    public func loss(_ tuner: Tuner) throws -> Double {
        try loss(tuner, stop: nil) ?? .nan
    }

    /// The dev loss, or nil when `stop` is requested: it is checked between batches, so a long evaluation
    /// ends within one batch of Ctrl-C. `progress(done)` is called after each batch.
    public func loss(_ tuner: Tuner, stop: StopRequest?, progress: (Int) -> Void = { _ in }) throws -> Double? {
        var sum = 0.0
        var count = 0
        for (i, batch) in batches.enumerated() {
            if stop?.isRequested == true { return nil }
            let result = try tuner.loss(batch, options: LossOptions(reduction: .sum))
            sum += result.loss
            count += result.targetCount
            progress(i + 1)
        }
        return count == 0 ? .nan : sum / Double(count)
    }
}

extension Trainer {
    /// The dev loss with progress events, or nil without a dev set or when `stop` cut it short. A loss that
    /// is not finite stops the run as diverged (before, a NaN dev loss was logged and training went on).
    func devLoss(stop: StopRequest, observer: (TrainingEvent) -> Void) throws -> Double? {
        guard let evaluator else { return nil }
        let step = state.completedSteps
        let total = evaluator.batches.count
        let started = Date()
        let loss = try times.time(\.evaluation) { () throws -> Double? in
            let progress = { (done: Int) in
                let perBatch = Date().timeIntervalSince(started) / Double(done)
                observer(
                    .evaluating(
                        EvaluationProgress(
                            step: step, batches: done, totalBatches: total,
                            etaSeconds: perBatch * Double(total - done))))
            }
            // Several processes share the batches (and the progress shown is rank 0's share).
            return processes.size > 1
                ? try evaluator.loss(tuner, processes: processes, progress: progress)
                : try evaluator.loss(tuner, stop: stop, progress: progress)
        }
        guard let loss else { return nil }
        evaluationClock.count += 1
        evaluationClock.seconds += Date().timeIntervalSince(started)
        guard loss.isFinite else { throw TuningError.diverged(step: step, quantity: "dev loss", value: loss) }
        return loss
    }

    /// Seconds the dev evaluations still due after `step` will take: their number (epoch ends, every
    /// `--eval-every` steps, the last step) times the average evaluation of this session — or, before the
    /// first, the dev set's padded tokens at the training steps' cost per padded token (a forward pass is
    /// about a third of a training step's forward and backward).
    func evaluationSeconds(after step: Int, secondsPerPaddedToken: Double) -> Double {
        guard let evaluator else { return 0 }
        let total = schedule.totalSteps
        func multiples(of n: Int) -> Int { n > 0 ? total / n - step / n : 0 }
        let perEpoch = schedule.stepsPerEpoch
        var count = multiples(of: perEpoch)
        if let every = settings.evalEvery {
            let (product, overflow) = (perEpoch / gcd(perEpoch, every)).multipliedReportingOverflow(by: every)
            count += multiples(of: every) - (overflow ? 0 : multiples(of: product))
        }
        let lastCounted = total % perEpoch == 0 || settings.evalEvery.map { total % $0 == 0 } == true
        if !lastCounted && step < total { count += 1 }
        let perEvaluation =
            evaluationClock.count > 0
            ? evaluationClock.seconds / Double(evaluationClock.count)
            : Double(evaluator.paddedTokens) * secondsPerPaddedToken / 3
        return Double(count) * perEvaluation
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? max(a, 1) : gcd(b, a % b) }
}
