import GPT2
import Kernels
import Randomness

/// One training run's state and its optimizer step: the model (whose trainable ranges it updates in place),
/// the method's selection, gradient buffers, optimizer moments for the trainable values only, the prefix
/// encoder's parameters and the method's hook-point module (LoRA), which `model` runs.
///
/// `step(batches:)` is one optimizer step over micro-batches: cut them into shards (`GradientShards`) →
/// forward + backward per shard, each from zero, folded in shard order (summed losses and gradients) → divide
/// by the step's denominator (`TrainingObjective`) → prefix-encoder backward → clip the global norm → update at
/// the schedule's learning rate. Frozen parameters are never written, so they stay bit-identical; no result
/// depends on the thread count.
///
/// Not for concurrent use: one step at a time (the model itself may serve other readers meanwhile, but
/// they see the trainable values change between steps).
public final class Tuner: @unchecked Sendable {
    /// The model given, with the method's hook-point module attached when it has one.
    public let model: GPT2Model
    public let configuration: TuningConfiguration
    public let selection: TrainableSelection
    public let options: TunerOptions
    /// The prefix encoder (Prefix-Tuning methods), whose output the model attends to.
    public let prefix: PrefixParameters?
    /// The method's module at the model's hook points (LoRA), whose values train.
    public let extensionModule: (any TrainableExtension)?
    /// Trainable values and their gradients, base tensors first (layout order), then the prefix encoder, then
    /// the hook-point module.
    public let segments: [TrainableSegment]
    public let optimizer: OptimizerState
    /// Optimizer steps completed (the schedule's position).
    public internal(set) var completedSteps: Int = 0
    /// The tuner's random stream after initialisation (stored in checkpoints).
    public internal(set) var random: TuningRandom

    let gradients: GPT2Parameters
    let prefixGradients: FloatBuffer?
    let extensionGradients: FloatBuffer?
    let request: GradientRequest
    /// The step's gradient, the fold of its shards' (its parameter buffer is `gradients`, which the segments
    /// view).
    let stepGradient: ShardGradient
    /// Where the shards after a step's first are computed before being added: made at the first step with two
    /// shards (it holds the trained ranges only: for full fine-tuning, a second model-sized buffer).
    var shardScratch: ShardGradient?

    /// A tuner for `method` on `model`, with a freshly initialised prefix and hook-point module (PEFT's
    /// initialisation, seeded by `options.seed`, prefix first) and zero optimizer state. The model's trainable
    /// values are its starting point.
    public init(model: GPT2Model, method: any TuningMethod, options: TunerOptions) throws(TuningError) {
        let config = model.config
        try method.validate(for: config)
        try options.validate()
        self.configuration = TuningConfiguration(method)
        self.options = options
        selection = method.selection(for: model.parameters.layout)
        request = selection.gradientRequest
        gradients = GPT2Parameters(config: config)
        var random = TuningRandom(seed: options.seed)
        prefix = method.prefix.map { PrefixParameters(config: config, options: $0, random: &random) }
        let module = method.makeExtension(for: config)
        module?.initialize(random: &random)
        extensionModule = module
        self.model = try TuningError.wrapping { () throws(GPT2Error) in
            module == nil ? model : try model.extended(with: module)
        }
        self.random = random
        prefixGradients = prefix.map { FloatBuffer(count: $0.count) }
        extensionGradients = module.map { FloatBuffer(count: $0.parameterCount) }

        var segments: [TrainableSegment] = []
        var offset = 0
        let layout = model.parameters.layout
        for tensor in selection.tensors {
            let slot = layout.slot(tensor)
            segments.append(
                TrainableSegment(
                    name: "transformer." + tensor.huggingFaceName, shape: slot.shape,
                    values: model.parameters.base + slot.offset, gradients: gradients.base + slot.offset,
                    decays: Self.huggingFaceDecays(tensor), stateOffset: offset))
            offset += slot.count
        }
        if let prefix, let prefixGradients {
            for t in prefix.tensors {
                segments.append(
                    TrainableSegment(
                        name: "prompt_encoder." + t.name, shape: t.shape, values: prefix.values.base + t.offset,
                        gradients: prefixGradients.base + t.offset, decays: t.decays, stateOffset: offset))
                offset += t.count
            }
        }
        if let module, let extensionGradients {
            for t in module.tensors {
                segments.append(
                    TrainableSegment(
                        name: t.name, shape: t.shape, values: module.values.base + t.offset,
                        gradients: extensionGradients.base + t.offset, decays: t.decays, stateOffset: offset))
                offset += t.count
            }
        }
        self.segments = segments
        optimizer = OptimizerState(options: options.optimizer, trainableCount: offset)
        stepGradient = ShardGradient(
            parameters: gradients, prefix: prefix.map { PrefixSlots(config: config, length: $0.virtualTokens) },
            extension: extensionGradients)
    }

    /// HF Trainer's rule: LayerNorm weights and biases are not decayed; embeddings and Linear weights are.
    static func huggingFaceDecays(_ tensor: GPT2Tensor) -> Bool {
        switch tensor {
        case .tokenEmbedding, .positionEmbedding: return true
        case .finalNormWeight, .finalNormBias: return false
        case let .block(_, t): return !(t.isBias || t.isLayerNorm)
        }
    }

    /// Trainable values (base tensors plus prefix-encoder parameters).
    public var trainableCount: Int { segments.reduce(0) { $0 + $1.count } }

    /// PEFT's trainable-parameter line for this run.
    public var report: ParameterReport { ParameterReport(selection: selection) }

    /// The current prefix, as the model attends to it (nil for methods without one).
    public func prefixSlots() -> PrefixSlots? { prefix?.slots() }

    /// One optimizer step over `batches` (gradient accumulation: each is one micro-batch).
    @discardableResult
    public func step(batches: [TrainingBatch]) throws(TuningError) -> StepResult {
        guard !batches.isEmpty else { throw .invalidBatch(reason: "a step needs at least one micro-batch") }
        let shards = try GradientShards.split(batches, ignoreIndex: options.objective.ignoreIndex)
        let slots = prefixSlots()
        for (i, shard) in shards.enumerated() {
            if i == 0 {
                try computeGradient(of: shard, index: i, slots: slots, into: stepGradient)
            } else {
                let scratch = shardScratch ?? makeShardGradient()
                shardScratch = scratch
                try computeGradient(of: shard, index: i, slots: slots, into: scratch)
                add(scratch, into: stepGradient)
            }
        }
        return try applyStep(stepGradient)
    }

    /// The optimizer step from the gradient of all the step's shards, folded in shard order (by `step`, or by
    /// a caller that computed the shards elsewhere): divide by the step's denominator, prefix-encoder
    /// backward, clip, update.
    @discardableResult
    public func applyStep(_ total: ShardGradient) throws(TuningError) -> StepResult {
        let denominator = options.objective.denominator(targetTokens: total.targetTokens, sequences: total.sequences)
        guard total.targetTokens > 0, denominator > 0 else {
            throw .invalidBatch(
                reason: "no target tokens in the step: every label is ignore_index \(options.objective.ignoreIndex)"
                    + " (are the labels shifted or masked by mistake?)")
        }
        if total !== stepGradient {
            // The segments view the tuner's own buffers: bring the folded gradient there.
            for range in request.ranges(in: gradients.layout) {
                (gradients.base + range.lowerBound).update(
                    from: total.parameters.base + range.lowerBound, count: range.count)
            }
            if let mine = stepGradient.prefix, let theirs = total.prefix {
                mine.base.update(from: theirs.base, count: mine.count)
            }
            if let mine = stepGradient.extension, let theirs = total.extension {
                mine.base.update(from: theirs.base, count: mine.count)
            }
        }
        let scale = 1 / Float(denominator)
        for s in segments.prefix(selection.tensors.count) { scaleInPlace(s.gradientBuffer, scale) }
        if let extensionGradients { scaleInPlace(extensionGradients.buffer, scale) }
        if let prefix, let prefixGradients, let slotGradients = stepGradient.prefix {
            scaleInPlace(slotGradients.buffer, scale)
            prefixGradients.zero()
            prefix.backward(slotGradients: slotGradients, into: prefixGradients)
        }
        let norm = GradientClipping.clip(segments.map(\.gradientBuffer), maxNorm: options.maxGradientNorm)
        try requireFinite(loss: total.lossSum / Double(denominator), gradientNorm: norm, step: completedSteps + 1)
        let learningRate = options.schedule.learningRate(atStep: completedSteps)
        optimizer.update(segments, step: completedSteps + 1, learningRate: learningRate)
        model.parametersChanged(request.ranges(in: gradients.layout))
        try requireFiniteValues(step: completedSteps + 1)
        completedSteps += 1
        return StepResult(
            step: completedSteps, loss: total.lossSum / Double(denominator), gradientNorm: norm,
            learningRate: learningRate, targetTokens: total.targetTokens, sequences: total.sequences)
    }

    /// The dropout of one shard: its key is a hash of the seed, the step and the shard, so a resumed run
    /// draws the masks of the uninterrupted one. Nil without dropout.
    func dropoutMask(step: Int, shard: Int) -> DropoutMask? {
        DropoutMask(rate: options.dropout, key: dropoutKey(step: step, shard: shard))
    }

    /// The key of one shard's dropout: GPT-2's sites and the hook-point module's (LoRA's own rate) derive
    /// theirs from it.
    func dropoutKey(step: Int, shard: Int) -> UInt64 {
        let stepKey = SplitMix64.mix(options.seed &+ UInt64(step + 1) &* SplitMix64.increment)
        return SplitMix64.mix(stepKey &+ UInt64(shard) &* SplitMix64.increment)
    }

    /// The loss of `batch` with the current parameters and prefix (no gradients): validation.
    public func loss(_ batch: TrainingBatch, options lossOptions: LossOptions = LossOptions()) throws(TuningError)
        -> LossResult
    {
        let slots = prefixSlots()
        return try TuningError.wrapping { () throws(GPT2Error) in
            try model.loss(batch.tokens, labels: batch.labels, options: lossOptions, prefix: slots)
        }
    }

    /// Logits with the current parameters and prefix.
    public func logits(_ batch: TokenBatch, rows: LogitRows = .all) throws(TuningError) -> Logits {
        let slots = prefixSlots()
        return try TuningError.wrapping { () throws(GPT2Error) in try model.logits(batch, rows: rows, prefix: slots) }
    }

    private func scaleInPlace(_ values: UnsafeMutableBufferPointer<Float>, _ factor: Float) {
        for i in values.indices { values[i] *= factor }
    }
}
