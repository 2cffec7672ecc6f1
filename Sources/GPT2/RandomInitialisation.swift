extension GPT2Parameters {
    /// Random weights with GPT-2's scale, from a fixed seed: for benchmarks (a random model costs what a trained
    /// one does) and for tests that need a model of a shape no checkpoint has.
    ///
    /// Close to transformers' `GPT2PreTrainedModel._init_weights`, not equal to it: every weight *and bias* has
    /// σ = `initializer_range` 0.02 (transformers zeroes biases and scales `c_proj` by 1/√(2·n_layer)), drawn
    /// uniform rather than normal, and LayerNorm gains and biases get a ±0.05 spread around 1 and 0 so that
    /// their gradients are generic (LN-Tuning trains exactly those). The same seed gives the same values on
    /// every platform.
    public static func random(config: GPT2Config, seed: UInt64 = 1) -> GPT2Parameters {
        let parameters = GPT2Parameters(config: config)
        var state = seed
        // A 64-bit LCG: 124 M values from a Gaussian sampler would take longer than the benchmarks they feed.
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        let spread = Float(0.02) * Float(12).squareRoot()  // uniform(−a/2, a/2) has σ = a/√12
        for slot in parameters.layout.slots {
            let p = parameters[slot.tensor]
            let (isNorm, isGain): (Bool, Bool)
            switch slot.tensor {
            case .finalNormWeight: (isNorm, isGain) = (true, true)
            case .finalNormBias: (isNorm, isGain) = (true, false)
            case let .block(_, t): (isNorm, isGain) = (t.isLayerNorm, t == .ln1Weight || t == .ln2Weight)
            case .tokenEmbedding, .positionEmbedding: (isNorm, isGain) = (false, false)
            }
            for i in p.indices { p[i] = isNorm ? (isGain ? 1 : 0) + 0.1 * uniform() : spread * uniform() }
        }
        return parameters
    }
}
