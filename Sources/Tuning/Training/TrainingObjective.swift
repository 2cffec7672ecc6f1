import GPT2

/// One micro-batch: `[B, T]` tokens with their mask, and labels aligned with the tokens as transformers'
/// causal-LM models take them (position t is scored on `labels[t+1]`; `ignoreIndex`, by default −100,
/// marks non-targets such as the prompt and padding).
public struct TrainingBatch: Sendable, Equatable {
    public var tokens: TokenBatch
    public var labels: [Int32]

    public init(tokens: TokenBatch, labels: [Int32]) {
        self.tokens = tokens
        self.labels = labels
    }
}

/// What a training step minimises.
///
/// Every micro-batch's token losses are *summed* by the model, and the step divides the accumulated sums
/// (loss and gradients) by one denominator for the whole step — so gradient accumulation over k micro-batches
/// gives exactly the gradient of one big batch, however the target tokens are spread over the micro-batches
/// (averaging per-micro-batch means would over-weight tokens in short micro-batches):
///
/// - `tokenMean` (default): Σ token losses / number of target tokens in the step — transformers' causal-LM
///   loss, and HF Trainer's with `num_items_in_batch` under gradient accumulation.
/// - `sequenceSum`: Σ token losses / number of sequences in the step — each sequence contributes its summed
///   loss (Li & Liang's per-sequence objective), averaged over the sequences.
///
/// `labelSmoothing` is torch's `CrossEntropyLoss(label_smoothing:)`.
public struct TrainingObjective: Equatable, Sendable, Codable {
    public enum Reduction: String, Equatable, Sendable, Codable, CaseIterable {
        case tokenMean = "token-mean"
        case sequenceSum = "sequence-sum"
    }

    public var reduction: Reduction
    public var labelSmoothing: Float
    public var ignoreIndex: Int32

    public init(
        reduction: Reduction = .tokenMean, labelSmoothing: Float = 0,
        ignoreIndex: Int32 = LossOptions.defaultIgnoreIndex
    ) {
        self.reduction = reduction
        self.labelSmoothing = labelSmoothing
        self.ignoreIndex = ignoreIndex
    }

    /// What each micro-batch asks of the model: summed token losses.
    var microBatchOptions: LossOptions {
        LossOptions(reduction: .sum, labelSmoothing: labelSmoothing, ignoreIndex: ignoreIndex)
    }

    /// The step's denominator given its totals.
    func denominator(targetTokens: Int, sequences: Int) -> Int {
        reduction == .tokenMean ? targetTokens : sequences
    }

    public func validate() throws(TuningError) {
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw .invalidOption(name: "label-smoothing", value: "\(labelSmoothing)", hint: "must be in [0, 1)")
        }
    }
}

/// Everything a tuner needs besides the model and the method.
public struct TunerOptions: Equatable, Sendable, Codable {
    public var optimizer: OptimizerOptions
    public var schedule: LearningRateSchedule
    /// Global gradient-norm clipping threshold (HF Trainer's `max_grad_norm`, default 1.0); 0 turns it off.
    public var maxGradientNorm: Float
    public var objective: TrainingObjective
    /// Seeds the prefix initialisation and the dropout masks (the tuner's only randomness).
    public var seed: UInt64
    /// GPT-2's dropout probability while training (embeddings, attention probabilities, residual branches:
    /// transformers' `embd_pdrop`, `attn_pdrop`, `resid_pdrop`); 0, the default, trains without dropout, as
    /// Li & Liang's scripts do.
    public var dropout: Float

    public init(
        optimizer: OptimizerOptions = OptimizerOptions(), schedule: LearningRateSchedule,
        maxGradientNorm: Float = 1, objective: TrainingObjective = TrainingObjective(), seed: UInt64 = 42,
        dropout: Float = 0
    ) {
        self.optimizer = optimizer
        self.schedule = schedule
        self.maxGradientNorm = maxGradientNorm
        self.objective = objective
        self.seed = seed
        self.dropout = dropout
    }

    private enum CodingKeys: String, CodingKey {
        case optimizer, schedule, maxGradientNorm, objective, seed, dropout
    }

    /// Checkpoints written before dropout existed have no `dropout` key: they trained without it.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        optimizer = try c.decode(OptimizerOptions.self, forKey: .optimizer)
        schedule = try c.decode(LearningRateSchedule.self, forKey: .schedule)
        maxGradientNorm = try c.decode(Float.self, forKey: .maxGradientNorm)
        objective = try c.decode(TrainingObjective.self, forKey: .objective)
        seed = try c.decode(UInt64.self, forKey: .seed)
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0
    }

    public func validate() throws(TuningError) {
        try optimizer.validate()
        try objective.validate()
        guard dropout >= 0, dropout < 1 else {
            throw .invalidOption(name: "dropout", value: "\(dropout)", hint: "must be in [0, 1)")
        }
        guard maxGradientNorm >= 0, maxGradientNorm.isFinite else {
            throw .invalidOption(
                name: "max-grad-norm", value: "\(maxGradientNorm)", hint: "must be 0 (off) or a finite positive number")
        }
        guard schedule.peak > 0, schedule.peak.isFinite, schedule.totalSteps > 0, schedule.warmupSteps >= 0 else {
            throw .invalidOption(
                name: "learning-rate", value: "\(schedule.peak)",
                hint: "the schedule needs a positive peak and step count (got \(schedule.totalSteps) steps)")
        }
    }
}

/// What one optimizer step did.
public struct StepResult: Sendable, Equatable {
    /// Optimizer steps completed, this one included.
    public var step: Int
    /// The objective over all micro-batches of the step (before the update).
    public var loss: Double
    /// Global gradient norm before clipping.
    public var gradientNorm: Float
    /// The learning rate the update used.
    public var learningRate: Double
    /// Target tokens and sequences the step trained on.
    public var targetTokens: Int
    public var sequences: Int
}
