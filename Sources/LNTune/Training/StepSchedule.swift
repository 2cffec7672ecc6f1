import Datasets
import GPT2
import Tuning

/// How micro-batches group into optimizer steps: each step takes the next `accumulation` batches of the
/// epoch, and an epoch's last step takes what is left (so a step never spans two epochs and every batch is
/// trained on, as HF Trainer does with gradient accumulation).
///
/// A step is identified by the cursor of its first micro-batch, which is what a checkpoint stores: the plan
/// of an epoch depends only on (seed, epoch, data), so a resumed run continues with the very same batches.
public struct StepSchedule: Sendable {
    public let batcher: Batcher
    public let accumulation: Int
    public let epochs: Int
    /// `--max-steps`, if given.
    public let maxSteps: Int?
    private var plan: (epoch: Int, batches: [[Int]])?

    public init(batcher: Batcher, accumulation: Int, epochs: Int, maxSteps: Int?) {
        self.batcher = batcher
        self.accumulation = accumulation
        self.epochs = epochs
        self.maxSteps = maxSteps
    }

    public var stepsPerEpoch: Int { (batcher.batchesPerEpoch + accumulation - 1) / accumulation }

    /// Optimizer steps of the whole run: the epochs, cut at `--max-steps` (which may also extend a run past
    /// `--epochs`, as in HF Trainer, where max_steps overrides num_train_epochs).
    public var totalSteps: Int { maxSteps ?? epochs * stepsPerEpoch }

    /// The cursor of the first micro-batch of 0-based step `step`.
    public func cursor(ofStep step: Int) -> BatchCursor {
        BatchCursor(epoch: step / stepsPerEpoch, index: (step % stepsPerEpoch) * accumulation)
    }

    /// The micro-batches of the step starting at `cursor`, and whether it is the last step of its epoch.
    public mutating func batches(at cursor: BatchCursor) -> (batches: [Batch], endsEpoch: Bool) {
        if plan?.epoch != cursor.epoch { plan = (cursor.epoch, batcher.plan(epoch: cursor.epoch)) }
        let rows = plan?.batches ?? []
        let end = min(cursor.index + accumulation, rows.count)
        let batches = rows[min(cursor.index, end)..<end].map { batcher.assemble($0) }
        return (batches, end == rows.count)
    }
}

/// The dev loss: Σ token losses / Σ target tokens over the whole dev split (token mean, the training
/// objective's reduction), with the current trainable values. Batches are formed once, rows sorted by
/// length so little padding is computed.
public struct DevEvaluator: Sendable {
    public let batches: [TrainingBatch]
    public let targetTokens: Int

    public init(sequences: [EncodedSequence], batchSize: Int, padID: Int32) throws {
        let batcher = try Batcher(sequences: sequences, batchSize: batchSize, seed: 0, padID: padID)
        let order = sequences.indices.sorted { sequences[$0].tokens.count > sequences[$1].tokens.count }
        batches = try stride(from: 0, to: order.count, by: batchSize).map { start in
            try TrainingBatch(batcher.assemble(Array(order[start..<min(start + batchSize, order.count)])))
        }
        targetTokens = sequences.reduce(0) { $0 + $1.tokens.count - $1.targetStart }
    }

    public func loss(_ tuner: Tuner) throws -> Double {
        var sum = 0.0
        var count = 0
        for batch in batches {
            let result = try tuner.loss(batch, options: LossOptions(reduction: .sum))
            sum += result.loss
            count += result.targetCount
        }
        return count == 0 ? .nan : sum / Double(count)
    }
}
