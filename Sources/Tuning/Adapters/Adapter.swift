import GPT2

/// What a trained method changes about a base model, in memory: the base tensors it replaces (LayerNorm
/// gains and biases, BitFit's biases, every tensor for full fine-tuning), the prefix it prepends and the
/// module it runs at the model's hook points (LoRA).
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
    /// The encoder that produced `prefix`, for the layouts that store it rather than its output (AdapterHub's,
    /// for MAM); nil otherwise.
    public var prefixEncoder: PrefixParameters?
    /// The module at the model's hook points (LoRA, bottleneck adapters): like the prefix, not a weight —
    /// `model(on:)` attaches it.
    public var extensionModule: (any TrainableExtension)?
    /// Full fine-tuning: every parameter (then `tensors` is empty).
    public var fullParameters: GPT2Parameters?
    /// Recorded as `base_model_name_or_path` in PEFT configs.
    public var baseModel: String?
    /// Where the adapter came from (its folder), for error messages.
    public var source: String = "in-memory adapter"

    public init(
        configuration: TuningConfiguration, modelConfig: GPT2Config, tensors: [GPT2Tensor: [Float]] = [:],
        prefix: PrefixSlots? = nil, extensionModule: (any TrainableExtension)? = nil,
        fullParameters: GPT2Parameters? = nil, baseModel: String? = nil
    ) {
        self.configuration = configuration
        self.modelConfig = modelConfig
        self.tensors = tensors
        self.prefix = prefix
        self.extensionModule = extensionModule
        self.fullParameters = fullParameters
        self.baseModel = baseModel
    }

    /// Writes the adapter's tensors into `parameters` (a base model's, loaded for this purpose): after this,
    /// the model with `prefix` in front and `extensionModule` attached (`model(on:)` does both writes)
    /// computes what the tuned model computed.
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

    /// `model`'s parameters with the adapter's tensors written in (`apply(to:)`), as a model running the
    /// adapter's hook-point module; its prefix still goes in front of every row.
    public func model(on model: GPT2Model) throws(TuningError) -> GPT2Model {
        try apply(to: model.parameters)
        return try TuningError.wrapping { () throws(GPT2Error) in try model.extended(with: extensionModule) }
    }

    /// Folds the adapter into `parameters` for `lntune merge`: LayerNorm and bias values simply replace the
    /// base ones, a hook-point module folds itself in where it can (LoRA: W += scaling·A·B). A prefix is extra
    /// attention slots, not a change of any weight, so it cannot be merged.
    public func merge(into parameters: GPT2Parameters) throws(TuningError) {
        if prefix != nil {
            throw .cannotMerge(
                method: configuration.name,
                reason: "a prefix adds key/value slots to every attention layer instead of changing weights;"
                    + " use the adapter folder directly (--adapter) when evaluating or decoding")
        }
        try apply(to: parameters)
        try extensionModule?.merge(into: parameters)
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
    /// method's adapter stores (or every parameter, for full fine-tuning), the prefix and its encoder, and the
    /// hook-point module.
    public func adapter(baseModel: String? = nil) -> Adapter {
        let method = configuration.method
        let parameters = model.parameters
        var tensors: [GPT2Tensor: [Float]] = [:]
        if !method.storesWholeModel {
            for tensor in method.storedTensors(in: parameters.layout) { tensors[tensor] = Array(parameters[tensor]) }
        }
        var snapshot = Adapter(
            configuration: configuration, modelConfig: model.config, tensors: tensors, prefix: prefixSlots(),
            extensionModule: extensionModule?.copy(),
            fullParameters: method.storesWholeModel ? parameters.copy() : nil, baseModel: baseModel)
        snapshot.prefixEncoder = prefix?.copy()
        return snapshot
    }
}
