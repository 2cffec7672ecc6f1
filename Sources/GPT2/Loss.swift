/// How the per-token cross-entropies are combined.
public struct LossOptions: Sendable, Equatable {
    public enum Reduction: Sendable, Equatable {
        /// Mean over all target tokens of the batch (torch's default, and transformers' causal-LM loss).
        case mean
        /// Sum over all target tokens (each sequence contributes its summed loss).
        case sum
    }

    public var reduction: Reduction
    /// torch `CrossEntropyLoss(label_smoothing:)`: targets become (1−ε)·onehot + ε/V.
    public var labelSmoothing: Float
    /// Labels with this value are not targets (`defaultIgnoreIndex` unless a caller picks another).
    public var ignoreIndex: Int32

    /// The label that marks a position as "not a target": transformers' and PyTorch's `ignore_index`, −100.
    /// The one definition the loss, the tuner's objective, the training batches and perplexity share.
    public static let defaultIgnoreIndex: Int32 = -100

    public init(
        reduction: Reduction = .mean, labelSmoothing: Float = 0, ignoreIndex: Int32 = LossOptions.defaultIgnoreIndex
    ) {
        self.reduction = reduction
        self.labelSmoothing = labelSmoothing
        self.ignoreIndex = ignoreIndex
    }
}

/// The loss of one batch.
public struct LossResult: Sendable, Equatable {
    /// The reduced loss (what the gradients are of).
    public var loss: Double
    /// Number of target tokens.
    public var targetCount: Int
    /// Σ of token losses of each sequence (row), whatever the reduction.
    public var sequenceLosses: [Double]
}

/// The target rows of a batch: transformers' causal-LM convention, labels `[B, T]` aligned with the
/// input ids and shifted inside, so position t is scored on `labels[b, t+1]`.
struct LossTargets {
    var positions: [Int] = []
    var labels: [Int32] = []
    /// ∂(reduced loss)/∂(token loss), one per target.
    var scales: [Float] = []
    var labelSmoothing: Float
    var batchSize: Int, length: Int
    var reduction: LossOptions.Reduction

    init(batch: TokenBatch, labels all: [Int32], options: LossOptions, vocabSize: Int) throws(GPT2Error) {
        let (nb, nt) = (batch.batchSize, batch.length)
        guard all.count == nb * nt else {
            throw .invalidInput(argument: "labels", reason: "\(all.count) labels for a [\(nb), \(nt)] batch")
        }
        guard options.labelSmoothing >= 0, options.labelSmoothing <= 1 else {
            throw .invalidInput(argument: "label smoothing", reason: "\(options.labelSmoothing) is outside [0, 1]")
        }
        for b in 0..<nb {
            for t in 0..<(nt - 1) {
                let label = all[b * nt + t + 1]
                if label == options.ignoreIndex { continue }
                guard label >= 0, Int(label) < vocabSize else {
                    throw .invalidInput(
                        argument: "label", reason: "\(label) at row \(b), t \(t + 1) is outside 0..<\(vocabSize)")
                }
                positions.append(b * nt + t)
                labels.append(label)
            }
        }
        let scale: Float = options.reduction == .mean ? 1 / Float(max(positions.count, 1)) : 1
        scales = [Float](repeating: scale, count: positions.count)
        labelSmoothing = options.labelSmoothing
        batchSize = nb
        length = nt
        reduction = options.reduction
    }

    /// Combines per-target losses into the result.
    func result(_ losses: [Float]) -> LossResult {
        var perSequence = [Double](repeating: 0, count: batchSize)
        var total = 0.0
        for (i, loss) in losses.enumerated() {
            perSequence[positions[i] / length] += Double(loss)
            total += Double(loss)
        }
        let reduced = reduction == .mean ? total / Double(max(losses.count, 1)) : total
        return LossResult(loss: reduced, targetCount: losses.count, sequenceLosses: perSequence)
    }
}
