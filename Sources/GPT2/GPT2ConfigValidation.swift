extension GPT2Config {
    /// Bounds on the sizes a `config.json` may declare. They are far above every published GPT-2 (xl: 48
    /// layers, 1600 wide, 50257 tokens) and low enough that no size, product or offset derived from them can
    /// overflow an `Int`, so the model code may use plain arithmetic on a validated config. Whether the model
    /// fits in memory is a separate check, made when the checkpoint is loaded (`MemoryBudget`).
    public enum Limits {
        public static let vocabSize = 1...(1 << 24)
        public static let nPositions = 1...(1 << 20)
        public static let nEmbd = 1...(1 << 16)
        public static let nLayer = 1...1024
        public static let nInner = 1...(1 << 20)
    }

    /// Hidden width of the MLP.
    public var innerSize: Int { nInner ?? 4 * nEmbd }
    public var headDim: Int { nEmbd / nHead }

    /// The number of parameters this config implies, or nil when it does not fit in an `Int`.
    ///
    /// Overflow-checked and free of traps for any field values, so it can be asked before `validate`.
    public var parameterCount: Int? {
        typealias Size = CheckedSize
        let c = nEmbd
        guard let h = nInner ?? Size.product(4, c) else { return nil }
        // The shapes of `BlockTensor`, per block.
        let block = Size.sum(
            Size.product(4, c),  // ln_1 and ln_2: gain and bias
            Size.product(3, c, c), Size.product(3, c),  // qkv [C, 3C] + [3C]
            Size.product(c, c), c,  // attention projection [C, C] + [C]
            Size.product(c, h), h,  // fc [C, H] + [H]
            Size.product(h, c), c)  // MLP projection [H, C] + [C]
        return Size.sum(
            Size.product(vocabSize, c), Size.product(nPositions, c), block.flatMap { Size.product(nLayer, $0) },
            Size.product(2, c))
    }

    /// Rejects configurations LNTune cannot run or would get wrong, naming the key and the value.
    ///
    /// Sizes are checked one key at a time against `Limits` before anything is derived from them, so a huge,
    /// zero or negative value is an error here and never an arithmetic trap or a giant allocation later.
    public func validate(source: String) throws(GPT2Error) {
        func unsupported(_ key: String, _ value: Any, _ hint: String) -> GPT2Error {
            .unsupportedConfig(file: source, key: key, value: "\(value)", hint: hint)
        }
        func invalid(_ key: String, _ value: Any, _ reason: String) -> GPT2Error {
            .invalidConfigValue(file: source, key: key, value: "\(value)", reason: reason)
        }
        func check(_ key: String, _ value: Int, in range: ClosedRange<Int>) throws(GPT2Error) {
            guard range.contains(value) else {
                throw invalid(key, value, "must be between \(range.lowerBound) and \(range.upperBound)")
            }
        }
        guard modelType == "gpt2" else {
            throw unsupported("model_type", modelType, "only GPT-2 checkpoints are supported")
        }
        guard ["gelu_new", "gelu_pytorch_tanh"].contains(activationFunction) else {
            throw unsupported("activation_function", activationFunction, "GPT-2 uses the tanh GELU (gelu_new)")
        }
        try check("vocab_size", vocabSize, in: Limits.vocabSize)
        try check("n_positions", nPositions, in: Limits.nPositions)
        try check("n_embd", nEmbd, in: Limits.nEmbd)
        try check("n_layer", nLayer, in: Limits.nLayer)
        try check("n_head", nHead, in: 1...nEmbd)
        guard nEmbd % nHead == 0 else {
            throw invalid("n_head", nHead, "n_embd (\(nEmbd)) must be divisible by n_head")
        }
        if let nInner { try check("n_inner", nInner, in: Limits.nInner) }
        // bos/eos ids are not range-checked: transformers writes its default 50256 whatever the vocabulary, and
        // the model never reads them (generation checks the ids it is given against the vocabulary).
        guard layerNormEpsilon.isFinite, layerNormEpsilon > 0 else {
            throw invalid("layer_norm_epsilon", layerNormEpsilon, "must be positive and finite (GPT-2: 1e-05)")
        }
        guard tieWordEmbeddings else {
            throw unsupported("tie_word_embeddings", false, "the LM head is tied to wte in GPT-2")
        }
        guard scaleAttnWeights else {
            throw unsupported("scale_attn_weights", false, "only 1/sqrt(head_dim) scaling is implemented")
        }
        guard !scaleAttnByInverseLayerIdx else {
            throw unsupported("scale_attn_by_inverse_layer_idx", true, "not implemented")
        }
        guard !reorderAndUpcastAttn else { throw unsupported("reorder_and_upcast_attn", true, "not implemented") }
        // Unreachable within `Limits`; kept so that raising a limit cannot silently reintroduce an overflow.
        guard parameterCount != nil else {
            throw invalid("n_layer", nLayer, "n_layer × n_embd × n_inner overflows the parameter count")
        }
    }
}

/// Products and sums of sizes that report overflow as nil instead of trapping (public: the tuning methods size
/// their own buffers with it).
public enum CheckedSize {
    public static func product(_ factors: Int?...) -> Int? {
        var result = 1
        for factor in factors {
            guard let factor else { return nil }
            let (value, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            result = value
        }
        return result
    }

    public static func sum(_ terms: Int?...) -> Int? {
        var result = 0
        for term in terms {
            guard let term else { return nil }
            let (value, overflow) = result.addingReportingOverflow(term)
            guard !overflow else { return nil }
            result = value
        }
        return result
    }
}
