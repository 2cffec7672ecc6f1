import GPT2

/// What a trained method changes about a base model, in memory: the base tensors it replaces (LayerNorm
/// gains and biases, BitFit's biases, every tensor for full fine-tuning) and the prefix it prepends.
///
/// `AdapterFiles` writes and reads it in the layout of its method (PEFT's where PEFT has one, LNTune's
/// documented layouts otherwise).
public struct Adapter: @unchecked Sendable {
    /// The method (and options) the adapter was trained with, or inferred from a PEFT file.
    public var configuration: TuningConfiguration
    /// The shape of model it applies to.
    public var modelConfig: GPT2Config
    /// Base-model tensors the adapter replaces, with their values.
    public var tensors: [GPT2Tensor: [Float]]
    /// The prefix the model attends to (Prefix-Tuning), i.e. PEFT's `prompt_embeddings` after the MLP.
    public var prefix: PrefixSlots?
    /// Full fine-tuning: every parameter (then `tensors` is empty).
    public var fullParameters: GPT2Parameters?
    /// Recorded as `base_model_name_or_path` in PEFT configs.
    public var baseModel: String?
    /// Where the adapter came from (its folder), for error messages.
    public var source: String = "in-memory adapter"

    public init(
        configuration: TuningConfiguration, modelConfig: GPT2Config, tensors: [GPT2Tensor: [Float]] = [:],
        prefix: PrefixSlots? = nil, fullParameters: GPT2Parameters? = nil, baseModel: String? = nil
    ) {
        self.configuration = configuration
        self.modelConfig = modelConfig
        self.tensors = tensors
        self.prefix = prefix
        self.fullParameters = fullParameters
        self.baseModel = baseModel
    }

    /// Writes the adapter's tensors into `parameters` (a base model's, loaded for this purpose): after this,
    /// the model with `prefix` in front computes what the tuned model computed.
    public func apply(to parameters: GPT2Parameters) throws(TuningError) {
        guard Self.sameShape(parameters.config, modelConfig) else {
            throw .invalidAdapter(
                file: source,
                reason: "made for a model of shape \(Self.shape(modelConfig)), not \(Self.shape(parameters.config))")
        }
        if let fullParameters {
            parameters.base.update(from: fullParameters.base, count: parameters.count)
        }
        for (tensor, values) in tensors {
            let target = parameters[tensor]
            guard values.count == target.count else {
                throw .adapterShapeMismatch(
                    file: source, tensor: tensor.huggingFaceName, expected: [target.count], found: [values.count])
            }
            _ = target.update(fromContentsOf: values)
        }
    }

    /// Folds the adapter into `parameters` for `lntune merge`: LayerNorm and bias values simply replace the
    /// base ones. A prefix is extra attention slots, not a change of any weight, so it cannot be merged.
    public func merge(into parameters: GPT2Parameters) throws(TuningError) {
        if prefix != nil {
            throw .cannotMerge(
                method: configuration.name,
                reason: "a prefix adds key/value slots to every attention layer instead of changing weights;"
                    + " use the adapter folder directly (--adapter) when evaluating or decoding")
        }
        try apply(to: parameters)
    }

    /// Whether two configs lay out parameters alike (token ids and other settings that change no tensor
    /// shape may differ).
    static func sameShape(_ a: GPT2Config, _ b: GPT2Config) -> Bool {
        (a.nLayer, a.nEmbd, a.nHead, a.vocabSize, a.nPositions, a.innerSize)
            == (b.nLayer, b.nEmbd, b.nHead, b.vocabSize, b.nPositions, b.innerSize)
    }

    static func shape(_ c: GPT2Config) -> String {
        "n_layer \(c.nLayer), n_embd \(c.nEmbd), n_head \(c.nHead), vocab \(c.vocabSize), n_positions \(c.nPositions)"
    }
}

extension Tuner {
    /// A snapshot of what this run has trained so far, ready for `AdapterFiles.write`: the tensors the
    /// method's adapter stores (or every parameter, for full fine-tuning) and the prefix.
    public func adapter(baseModel: String? = nil) -> Adapter {
        let method = configuration.method
        let parameters = model.parameters
        var tensors: [GPT2Tensor: [Float]] = [:]
        if !method.storesWholeModel {
            for tensor in method.storedTensors(in: parameters.layout) { tensors[tensor] = Array(parameters[tensor]) }
        }
        return Adapter(
            configuration: configuration, modelConfig: model.config, tensors: tensors, prefix: prefixSlots(),
            fullParameters: method.storesWholeModel ? parameters.copy() : nil, baseModel: baseModel)
    }
}
