import Foundation
import Kernels

/// A GPT-2 language model (`GPT2LMHeadModel`, tied LM head) over one flat parameter buffer.
///
/// Everything runs on `[B, T]` token batches with an attention mask (see `TokenBatch`):
///
/// - `logits(_:rows:prefix:)`: one forward, logits only at the rows asked for (the 50257-wide head is
///   most of the cost of a short forward).
/// - `makeCache` + `extend(_:with:rows:)`: incremental decoding; the cache can be reordered, shrunk or
///   grown between steps (`KVCache.select(rows:)`).
/// - `loss(_:labels:options:prefix:)` and `lossAndGradients(…)`: the training objective and its gradient
///   for any subset of parameters and the Prefix-Tuning slots (`GradientRequest`).
///
/// A `ModelExtension` (LoRA, bottleneck adapters) runs its kernels at its hook points in every forward —
/// one-shot, training and incremental decoding alike — and its backward in `lossAndGradients`.
///
/// The parameters are read, never written. Calls may run concurrently: each takes its own activation
/// workspace (the last one is kept for reuse, since allocating and first-touching hundreds of MB per step
/// would cost more than the small kernels).
public final class GPT2Model: @unchecked Sendable {
    public let config: GPT2Config
    public let parameters: GPT2Parameters
    /// Extra kernels at named hook points of every block, or nil for the plain model.
    public var modelExtension: (any ModelExtension)? { hooks?.modelExtension }
    let hooks: HookTable?
    /// The number format of the matrix products (see `Precision`); bf16 copies of the weights when `.bf16`.
    public let precision: Precision
    let reducedPrecision: ReducedPrecisionWeights?
    private let lock = NSLock()
    private var spare: Activations?

    /// A model over `parameters`, whose layout must be the one `config` implies, with `extension`'s kernels at
    /// its hook points (whose layers must exist in this model). With `precision: .bf16` the matrix-product
    /// weights are rounded to bf16 copies here, once.
    public convenience init(
        config: GPT2Config, parameters: GPT2Parameters, extension: (any ModelExtension)? = nil,
        precision: Precision = .fp32
    ) throws(GPT2Error) {
        try self.init(
            config: config, parameters: parameters, extension: `extension`, precision: precision,
            reducedPrecision: precision == .bf16 ? ReducedPrecisionWeights(parameters) : nil)
    }

    /// The designated initialiser: `reducedPrecision` is made once and shared by `extended(with:)`'s models.
    private init(
        config: GPT2Config, parameters: GPT2Parameters, extension: (any ModelExtension)?, precision: Precision,
        reducedPrecision: ReducedPrecisionWeights?
    ) throws(GPT2Error) {
        try config.validate(source: "GPT2Model")
        guard parameters.config == config else {
            throw .invalidInput(argument: "parameters", reason: "laid out for a different config than the model's")
        }
        self.config = config
        self.parameters = parameters
        hooks = try `extension`.map { e throws(GPT2Error) in try HookTable(e, config: config) }
        self.precision = precision
        self.reducedPrecision = reducedPrecision
    }

    /// This model's parameters (shared, not copied, bf16 copies included) with `extension` at its hook points
    /// instead of this model's extension.
    public func extended(with extension: (any ModelExtension)?) throws(GPT2Error) -> GPT2Model {
        try GPT2Model(
            config: config, parameters: parameters, extension: `extension`, precision: precision,
            reducedPrecision: reducedPrecision)
    }

    public convenience init(checkpoint: GPT2Checkpoint, precision: Precision = .fp32) throws(GPT2Error) {
        try self.init(config: checkpoint.config, parameters: checkpoint.parameters, precision: precision)
    }

    /// A cache for `batchSize` rows and up to `capacity` slots (prefix included), seeded with `prefix`.
    public func makeCache(batchSize: Int, capacity: Int, prefix: PrefixSlots? = nil) throws(GPT2Error) -> KVCache {
        try checkPrefix(prefix)
        return try KVCache(config: config, batchSize: batchSize, slotCapacity: capacity, prefix: prefix)
    }

    /// Runs `batch` as the next tokens of every cache row (a prompt, or one generated token per row) and
    /// returns logits at `rows` (by default each row's newest token).
    public func extend(_ cache: KVCache, with batch: TokenBatch, rows: LogitRows = .last) throws(GPT2Error) -> Logits {
        guard cache.config == config else {
            throw .invalidInput(argument: "cache", reason: "made for a different model config")
        }
        let selected = try rows.positions(in: batch)
        return try withActivations(batch: batch, keys: cache.length + batch.length, needs: nil) {
            acts throws(GPT2Error) in
            try forward(batch, cache: cache, acts: acts)
            return headLogits(rows: selected, acts: acts)
        }
    }

    /// Logits of one forward over `batch` (with `prefix` in front of every row) at `rows`.
    public func logits(_ batch: TokenBatch, rows: LogitRows = .all, prefix: PrefixSlots? = nil) throws(GPT2Error)
        -> Logits
    {
        let cache = try makeCache(
            batchSize: batch.batchSize, capacity: (prefix?.length ?? 0) + batch.length, prefix: prefix)
        return try extend(cache, with: batch, rows: rows)
    }

    /// The cross-entropy loss of `batch` against `labels` (no gradients).
    public func loss(
        _ batch: TokenBatch, labels: [Int32], options: LossOptions = LossOptions(), prefix: PrefixSlots? = nil
    ) throws(GPT2Error) -> LossResult {
        try checkPrefix(prefix)
        let targets = try LossTargets(batch: batch, labels: labels, options: options, vocabSize: config.vocabSize)
        let p = prefix?.length ?? 0
        let cache = try KVCache(
            config: config, batchSize: batch.batchSize, slotCapacity: p + batch.length, prefix: prefix)
        return try withActivations(batch: batch, keys: p + batch.length, needs: nil) { acts throws(GPT2Error) in
            try forward(batch, cache: cache, acts: acts)
            return headLoss(targets, acts: acts, gradients: nil)
        }
    }

    // MARK: - Workspace

    /// Runs `body` with activations laid out for `batch`, reusing the spare allocation when possible.
    func withActivations<R>(
        batch: TokenBatch, keys: Int, needs: TrainingNeeds?, _ body: (Activations) throws(GPT2Error) -> R
    ) throws(GPT2Error) -> R {
        lock.lock()
        let old = spare
        spare = nil
        lock.unlock()
        let acts: Activations
        let layout = hooks?.layout(rows: batch.batchSize * batch.length, training: needs != nil)
        if let old,
            old.matches(batch: batch.batchSize, length: batch.length, keys: keys, needs: needs, extension: layout)
        {
            acts = old
        } else {
            acts = Activations(
                config: config, batch: batch.batchSize, length: batch.length, keys: keys, needs: needs,
                extension: layout, reusing: old)
        }
        acts.hookDropoutKey = nil
        defer {
            lock.lock()
            spare = acts
            lock.unlock()
        }
        return try body(acts)
    }

    func checkPrefix(_ prefix: PrefixSlots?) throws(GPT2Error) {
        if let prefix, prefix.config != config {
            throw .invalidInput(argument: "prefix", reason: "made for a different model config")
        }
    }
}
