import GPT2
import Kernels

/// Micro-shards: the fixed units whose gradients a step adds up.
///
/// A step's micro-batches are cut into shards of `examples` consecutive rows (a micro-batch's last shard may
/// be shorter; no shard spans two micro-batches), each without the padding columns none of its rows uses. The
/// step's gradient is the left fold g₀ + g₁ + g₂ + … in shard order, where gᵢ is the gradient of shard i's
/// summed token losses computed from zero; the loss sums and counts fold the same way. A shard's gradient
/// depends on its own examples only — not on the other rows of its micro-batch, nor on the thread count — so
/// a run split over processes can give each one whole shards and add their gradients in shard order to get
/// the bits of a single process (`Tuner.computeGradient(of:index:into:)`, `Tuner.add(_:into:)`,
/// `Tuner.applyStep(_:)`).
///
/// A side effect: accumulating k micro-batches of 4·m rows gives the very bits of one micro-batch of 4·k·m.
public enum GradientShards {
    /// Examples per shard. Large enough that the matrix products of a shard keep BLAS busy (GPT-2 at 128 tokens:
    /// 512 rows), small enough to split a batch of 8 between 2 processes. Changing it changes the bits.
    public static let examples = 4

    /// The shards of a step's micro-batches, in order. Throws (naming the micro-batch) when a batch's labels do
    /// not fit its tokens.
    public static func split(_ batches: [TrainingBatch], ignoreIndex: Int32) throws(TuningError) -> [TrainingBatch] {
        var shards: [TrainingBatch] = []
        for (i, batch) in batches.enumerated() {
            let (rows, length) = (batch.tokens.batchSize, batch.tokens.length)
            guard batch.labels.count == rows * length else {
                throw .invalidBatch(
                    reason: "micro-batch \(i): \(batch.labels.count) labels for a [\(rows), \(length)] batch")
            }
            for start in stride(from: 0, to: rows, by: examples) {
                do {
                    shards.append(try batch.rows(start..<min(rows, start + examples), ignoreIndex: ignoreIndex))
                } catch {
                    throw .invalidBatch(reason: "micro-batch \(i): \(error)")
                }
            }
        }
        return shards
    }
}

extension TrainingBatch {
    /// Rows `rows` of this batch without the trailing columns that none of them uses (padding in every kept
    /// row, with no label there): the batch those rows would have made alone.
    func rows(_ rows: Range<Int>, ignoreIndex: Int32) throws(GPT2Error) -> TrainingBatch {
        let length = tokens.length
        func used(_ t: Int) -> Bool {
            rows.contains { b in tokens.mask[b * length + t] != 0 || labels[b * length + t] != ignoreIndex }
        }
        var kept = length
        while kept > 1, !used(kept - 1) { kept -= 1 }
        func cut<T>(_ values: [T]) -> [T] { rows.flatMap { b in values[(b * length)..<(b * length + kept)] } }
        let shard = try TokenBatch(
            tokens: cut(tokens.tokens), mask: cut(tokens.mask), positions: tokens.positions.map(cut),
            batchSize: rows.count, length: kept)
        return TrainingBatch(tokens: shard, labels: cut(labels))
    }
}

/// The gradient of one shard, or of a fold of shards, for one tuner: the trained ranges of a parameter-shaped
/// buffer (whose other pages are never touched, so LN-Tuning's costs a few hundred KB of GPT-2 small's
/// 500 MB of address space; full fine-tuning's is the whole model), the gradient of the prefix slots and of
/// the hook-point module's values (LoRA, bottleneck adapters), with the summed token losses and the counts.
public final class ShardGradient: @unchecked Sendable {
    let parameters: GPT2Parameters
    let prefix: PrefixSlots?
    let `extension`: FloatBuffer?
    /// Σ token losses of the shards folded in.
    public internal(set) var lossSum: Double = 0
    /// Target tokens and sequences of the shards folded in.
    public internal(set) var targetTokens = 0
    public internal(set) var sequences = 0

    init(parameters: GPT2Parameters, prefix: PrefixSlots?, extension: FloatBuffer?) {
        self.parameters = parameters
        self.prefix = prefix
        self.extension = `extension`
    }
}

extension Tuner {
    /// An empty gradient buffer for this tuner's shards.
    public func makeShardGradient() -> ShardGradient {
        ShardGradient(
            parameters: GPT2Parameters(config: model.config),
            prefix: prefix.map { PrefixSlots(config: model.config, length: $0.virtualTokens) },
            extension: extensionModule.map { FloatBuffer(count: $0.parameterCount) })
    }

    /// Writes into `gradient` (overwriting it) the gradient of shard `index` of the coming step (the index
    /// keys its dropout masks) with the current parameters: the shard's summed token losses differentiated
    /// with respect to the trained values.
    public func computeGradient(of shard: TrainingBatch, index: Int, into gradient: ShardGradient)
        throws(TuningError)
    {
        try computeGradient(of: shard, index: index, slots: prefixSlots(), into: gradient)
    }

    func computeGradient(of shard: TrainingBatch, index: Int, slots: PrefixSlots?, into gradient: ShardGradient)
        throws(TuningError)
    {
        request.zero(gradient.parameters)
        gradient.prefix?.zero()
        gradient.extension?.zero()
        let result: LossResult
        do {
            result = try model.lossAndGradients(
                shard.tokens, labels: shard.labels, options: options.objective.microBatchOptions, prefix: slots,
                request: request, gradients: gradient.parameters, prefixGradients: gradient.prefix,
                extensionGradients: gradient.extension?.buffer,
                dropout: dropoutMask(step: completedSteps, shard: index),
                hookDropoutKey: dropoutKey(step: completedSteps, shard: index))
        } catch {
            throw .invalidBatch(reason: "shard \(index): \(error)")
        }
        gradient.lossSum = result.loss
        gradient.targetTokens = result.targetCount
        gradient.sequences = shard.tokens.batchSize
    }

    /// total ← total + shard: the trained ranges, the prefix and hook-point module gradients, the loss sum and the
    /// counts.
    public func add(_ shard: ShardGradient, into total: ShardGradient) {
        for range in request.ranges(in: total.parameters.layout) {
            addInPlace(total.parameters.base + range.lowerBound, shard.parameters.base + range.lowerBound, range.count)
        }
        if let sum = total.prefix, let part = shard.prefix { addInPlace(sum.base, part.base, sum.count) }
        if let sum = total.extension, let part = shard.extension { addInPlace(sum.base, part.base, sum.count) }
        total.lossSum += shard.lossSum
        total.targetTokens += shard.targetTokens
        total.sequences += shard.sequences
    }
}
