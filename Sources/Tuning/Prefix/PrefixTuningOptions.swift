import GPT2

/// Prefix-Tuning (Li & Liang 2021): P trainable key/value slots in front of every attention layer.
///
/// The slots are either trained directly, or produced by a small MLP — Embedding(P, d) → Linear(d, h) → tanh
/// → Linear(h, 2·L·d), the reparameterisation Li & Liang found to stabilise training — which is dropped after
/// training: the adapter stores only its output, PEFT's `prompt_embeddings` of shape [P, 2·L·d], whose row
/// layout is `[layer][key|value][head][headDim]` (PEFT's `get_prompt` view).
public struct PrefixTuningOptions: Equatable, Sendable, Codable, CustomStringConvertible {
    public enum Projection: Equatable, Sendable {
        case direct
        case mlp(hidden: Int)
    }

    public var virtualTokens: Int
    public var projection: Projection
    /// PEFT's prefix shifts the tokens' positions by P (it uses up P of the model's positions); AdapterHub's,
    /// which MAM uses, does not (see `PrefixSlots`).
    public var shiftsPositions: Bool

    public init(virtualTokens: Int = 10, projection: Projection = .mlp(hidden: 512), shiftsPositions: Bool = true) {
        self.virtualTokens = virtualTokens
        self.projection = projection
        self.shiftsPositions = shiftsPositions
    }

    /// Positions the prefix takes from the model's `n_positions`.
    public var positionCount: Int { shiftsPositions ? max(virtualTokens, 0) : 0 }

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

extension PrefixTuningOptions {
    // {"virtual_tokens": 10, "projection": "mlp", "hidden": 512} — PEFT's vocabulary, flat and stable;
    // `"shift_positions": false` only for AdapterHub's convention (so PEFT-style records keep their bytes).
    private enum CodingKeys: String, CodingKey {
        case virtualTokens = "virtual_tokens"
        case projection, hidden
        case shiftPositions = "shift_positions"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let tokens = try c.decode(Int.self, forKey: .virtualTokens)
        let shifts = try c.decodeIfPresent(Bool.self, forKey: .shiftPositions) ?? true
        switch try c.decode(String.self, forKey: .projection) {
        case "direct": self.init(virtualTokens: tokens, projection: .direct, shiftsPositions: shifts)
        case "mlp":
            self.init(
                virtualTokens: tokens, projection: .mlp(hidden: try c.decode(Int.self, forKey: .hidden)),
                shiftsPositions: shifts)
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .projection, in: c, debugDescription: "unknown projection '\(other)'; expected direct or mlp")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(virtualTokens, forKey: .virtualTokens)
        switch projection {
        case .direct:
            try c.encode("direct", forKey: .projection)
        case let .mlp(hidden):
            try c.encode("mlp", forKey: .projection)
            try c.encode(hidden, forKey: .hidden)
        }
        if !shiftsPositions { try c.encode(false, forKey: .shiftPositions) }
    }
}
