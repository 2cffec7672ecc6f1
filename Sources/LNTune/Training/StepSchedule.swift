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

    /// Steps per epoch, rounded up (written so that `--grad-accum` near `Int.max` cannot overflow).
    public var stepsPerEpoch: Int {
        let batches = batcher.batchesPerEpoch
        return batches / accumulation + (batches % accumulation == 0 ? 0 : 1)
    }

    /// Optimizer steps of the whole run: the epochs, cut at `--max-steps` (which may also extend a run past
    /// `--epochs`, as in HF Trainer, where max_steps overrides num_train_epochs). Nil when `--epochs` asks for
    /// more steps than an `Int` counts.
    public var countedSteps: Int? {
        if let maxSteps { return maxSteps }
        let (product, overflow) = epochs.multipliedReportingOverflow(by: stepsPerEpoch)
        return overflow ? nil : product
    }

    /// `countedSteps`, saturating at `Int.max` (the trainer refuses such a run before its first step).
    public var totalSteps: Int { countedSteps ?? Int.max }

    /// The cursor of the first micro-batch of 0-based step `step`.
    public func cursor(ofStep step: Int) -> BatchCursor {
        BatchCursor(epoch: step / stepsPerEpoch, index: (step % stepsPerEpoch) * accumulation)
    }

    /// The micro-batches of the step starting at `cursor`, and whether it is the last step of its epoch.
    public mutating func batches(at cursor: BatchCursor) -> (batches: [Batch], endsEpoch: Bool) {
        if plan?.epoch != cursor.epoch { plan = (cursor.epoch, batcher.plan(epoch: cursor.epoch)) }
        let rows = plan?.batches ?? []
        let end = cursor.index + max(0, min(accumulation, rows.count - cursor.index))
        let batches = rows[min(cursor.index, end)..<end].map { batcher.assemble($0) }
        return (batches, end == rows.count)
    }
}
