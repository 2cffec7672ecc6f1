/// Which gradients a training step needs: a set of parameter tensors (everything else is frozen: its
/// weight gradients are never computed, only the activation gradients that flow through it), whether the
/// Prefix-Tuning slots train, and whether the model's `ModelExtension` trains.
///
/// The backward stops at the lowest stage holding something trainable: with only LayerNorms trainable it
/// still has to reach `h.0.ln_1`, but with only `ln_f` it never enters a block. A training extension adds
/// the stage of its lowest hook (the model knows where its hooks are).
public struct GradientRequest: Sendable, Equatable {
    public var tensors: Set<GPT2Tensor>
    public var prefix: Bool
    public var extensionParameters: Bool

    public init(tensors: Set<GPT2Tensor> = [], prefix: Bool = false, extensionParameters: Bool = false) {
        self.tensors = tensors
        self.prefix = prefix
        self.extensionParameters = extensionParameters
    }

    /// LN-Tuning: every `ln_1`, `ln_2` and `ln_f` gain and bias.
    public static func layerNorms(_ config: GPT2Config) -> GradientRequest {
        GradientRequest(
            tensors: Set(
                ParameterLayout(config: config).slots.map(\.tensor).filter { tensor in
                    switch tensor {
                    case .finalNormWeight, .finalNormBias: return true
                    case let .block(_, t): return t.isLayerNorm
                    case .tokenEmbedding, .positionEmbedding: return false
                    }
                }))
    }

    /// Prefix-Tuning: only the prefix slots.
    public static let prefixOnly = GradientRequest(prefix: true)

    /// Every parameter (full fine-tuning).
    public static func all(_ config: GPT2Config) -> GradientRequest {
        GradientRequest(tensors: Set(ParameterLayout(config: config).slots.map(\.tensor)))
    }

    public func contains(_ tensor: GPT2Tensor) -> Bool { tensors.contains(tensor) }

    /// The requested tensors' ranges in the flat buffer, in buffer order with neighbours merged: what the
    /// optimizer updates and what must be zeroed before each step.
    public func ranges(in layout: ParameterLayout) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for slot in layout.slots where tensors.contains(slot.tensor) {
            if let last = out.last, last.upperBound == slot.offset {
                out[out.count - 1] = last.lowerBound..<slot.range.upperBound
            } else {
                out.append(slot.range)
            }
        }
        return out
    }

    /// Zeroes the requested ranges of a gradient buffer (the backward adds into it).
    public func zero(_ gradients: GPT2Parameters) {
        for r in ranges(in: gradients.layout) { (gradients.base + r.lowerBound).update(repeating: 0, count: r.count) }
    }

    // MARK: - Where the backward may stop

    /// The lowest forward step holding something trainable, or nil when nothing is. The head's tied weight is
    /// the token embedding, so training it reaches `.embeddings`.
    var lowestStage: BackwardStage? {
        let fromTensors = tensors.map(BackwardStage.init).min()
        let fromPrefix = prefix ? BackwardStage.prefix : nil
        return [fromTensors, fromPrefix].compactMap { $0 }.min()
    }

    /// What the forward must keep for these gradients.
    var trainingNeeds: TrainingNeeds {
        func any(_ t: BlockTensor) -> Bool {
            tensors.contains { if case let .block(_, x) = $0 { return x == t } else { return false } }
        }
        return TrainingNeeds(
            ln1Out: any(.attnQKVWeight), atty: any(.attnProjWeight), ln2Out: any(.mlpFCWeight),
            geluOut: any(.mlpProjWeight))
    }
}

extension TrainingNeeds {
    /// Also keeps the inputs of `linears` (those with a `beside` hook, whose backward reads them).
    mutating func keepInputs(of linears: Set<BlockLinear>) {
        ln1Out = ln1Out || linears.contains(.attnQKV)
        atty = atty || linears.contains(.attnProj)
        ln2Out = ln2Out || linears.contains(.mlpFC)
        geluOut = geluOut || linears.contains(.mlpProj)
    }
}
