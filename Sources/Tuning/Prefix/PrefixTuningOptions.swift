import GPT2

/// Prefix-Tuning (Li & Liang 2021): P trainable key/value slots in front of every attention layer.
///
/// The slots are either trained directly, or produced by a small MLP — Embedding(P, d) → Linear(d, h) → tanh
/// → Linear(h, 2·L·d), the reparameterisation Li & Liang found to stabilise training — which is dropped after
/// training: the adapter stores only its output, PEFT's `prompt_embeddings` of shape [P, 2·L·d], whose row
/// layout is `[layer][key|value][head][headDim]` (PEFT's `get_prompt` view).
public struct PrefixTuningOptions: Equatable, Sendable, Codable, CustomStringConvertible {
    public enum Projection: Equatable, Sendable, Codable {
        case direct
        case mlp(hidden: Int)
    }

    public var virtualTokens: Int
    public var projection: Projection

    public init(virtualTokens: Int = 10, projection: Projection = .mlp(hidden: 512)) {
        self.virtualTokens = virtualTokens
        self.projection = projection
    }

    /// Width of one prefix row: keys and values of every layer.
    public static func rowWidth(config: GPT2Config) -> Int { 2 * config.nLayer * config.nEmbd }

    /// Parameters trained (during training; the MLP is dropped afterwards).
    public func trainableParameterCount(config: GPT2Config) -> Int {
        let width = Self.rowWidth(config: config)
        switch projection {
        case .direct:
            return virtualTokens * width
        case let .mlp(hidden):
            let d = config.nEmbd
            return virtualTokens * d + (d * hidden + hidden) + (hidden * width + width)
        }
    }

    public func validate() throws(TuningError) {
        guard virtualTokens >= 0 else {
            throw .invalidOption(name: "prefix-length", value: "\(virtualTokens)", hint: "must be 0 or more")
        }
        if case let .mlp(hidden) = projection, hidden <= 0 {
            throw .invalidOption(name: "prefix-hidden", value: "\(hidden)", hint: "must be positive")
        }
    }

    public var description: String {
        switch projection {
        case .direct: return "\(virtualTokens) virtual tokens, direct"
        case let .mlp(hidden): return "\(virtualTokens) virtual tokens, MLP hidden \(hidden)"
        }
    }
}

/// Prefix-Tuning alone: only the prefix slots train.
public struct PrefixTuning: TuningMethod, Equatable {
    public var options: PrefixTuningOptions
    public init(options: PrefixTuningOptions = .init()) { self.options = options }
    public var kind: TuningMethodKind { .prefix }
    public var prefix: PrefixTuningOptions? { options }
    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] { [] }
    public var description: String { "prefix (\(options))" }
}

/// Prefix-Tuning and LN-Tuning together — the combination Qi et al. report as best (PEFT cannot combine them).
public struct PrefixLNTuning: TuningMethod, Equatable {
    public var prefixOptions: PrefixTuningOptions
    public var lnOptions: LNTuningOptions
    public init(prefix: PrefixTuningOptions = .init(), ln: LNTuningOptions = .init()) {
        prefixOptions = prefix
        lnOptions = ln
    }
    public var kind: TuningMethodKind { .prefixLN }
    public var prefix: PrefixTuningOptions? { prefixOptions }
    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] {
        lnOptions.tensors(layerCount: layout.config.nLayer)
    }
    public var description: String { "prefix+ln (\(prefixOptions); \(lnOptions))" }
}
