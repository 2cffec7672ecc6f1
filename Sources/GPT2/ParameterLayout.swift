/// The tensors of one transformer block, named as Hugging Face names them under `h.{i}.`.
///
/// Linear weights keep the Conv1D layout `[in, out]` of the checkpoints, so loading is a plain copy.
public enum BlockTensor: String, CaseIterable, Sendable {
    case ln1Weight = "ln_1.weight"
    case ln1Bias = "ln_1.bias"
    case attnQKVWeight = "attn.c_attn.weight"  // [C, 3C]
    case attnQKVBias = "attn.c_attn.bias"  // [3C]
    case attnProjWeight = "attn.c_proj.weight"  // [C, C]
    case attnProjBias = "attn.c_proj.bias"  // [C]
    case ln2Weight = "ln_2.weight"
    case ln2Bias = "ln_2.bias"
    case mlpFCWeight = "mlp.c_fc.weight"  // [C, 4C]
    case mlpFCBias = "mlp.c_fc.bias"  // [4C]
    case mlpProjWeight = "mlp.c_proj.weight"  // [4C, C]
    case mlpProjBias = "mlp.c_proj.bias"  // [C]

    public var isBias: Bool { rawValue.hasSuffix(".bias") }
    public var isLayerNorm: Bool { rawValue.hasPrefix("ln_") }

    func shape(_ c: GPT2Config) -> [Int] {
        let d = c.nEmbd, h = c.innerSize
        switch self {
        case .ln1Weight, .ln1Bias, .ln2Weight, .ln2Bias, .attnProjBias, .mlpProjBias: return [d]
        case .attnQKVWeight: return [d, 3 * d]
        case .attnQKVBias: return [3 * d]
        case .attnProjWeight: return [d, d]
        case .mlpFCWeight: return [d, h]
        case .mlpFCBias: return [h]
        case .mlpProjWeight: return [h, d]
        }
    }
}

/// One parameter tensor of the model.
public enum GPT2Tensor: Hashable, Sendable {
    case tokenEmbedding  // wte [V, C], also the tied LM head
    case positionEmbedding  // wpe [nPositions, C]
    case block(Int, BlockTensor)
    case finalNormWeight  // ln_f.weight [C]
    case finalNormBias  // ln_f.bias [C]

    /// The name in a Hugging Face `GPT2Model` state dict (without the `transformer.` prefix).
    public var huggingFaceName: String {
        switch self {
        case .tokenEmbedding: return "wte.weight"
        case .positionEmbedding: return "wpe.weight"
        case let .block(i, t): return "h.\(i).\(t.rawValue)"
        case .finalNormWeight: return "ln_f.weight"
        case .finalNormBias: return "ln_f.bias"
        }
    }
}

/// Where one tensor lives in the flat parameter buffer.
public struct TensorSlot: Sendable, Equatable {
    public let tensor: GPT2Tensor
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// All parameters of a GPT-2 in one flat `Float` buffer (llm.c's `ParameterTensors`), in checkpoint order:
/// `wte, wpe, h.0.*, …, h.{L-1}.*, ln_f.*`, each block contiguous.
///
/// A tuning method is then a set of ranges of this buffer; gradients and optimizer moments use the same
/// layout, so one offset addresses a parameter, its gradient and its moments.
public struct ParameterLayout: Sendable {
    public let config: GPT2Config
    public let slots: [TensorSlot]
    public let totalCount: Int
    private let index: [GPT2Tensor: Int]

    /// The layout of `config`, which must have passed `GPT2Config.validate` (as every config read from a file
    /// has): its `Limits` are what keep the offsets below from overflowing.
    public init(config: GPT2Config) {
        var slots: [TensorSlot] = []
        var offset = 0
        func add(_ t: GPT2Tensor, _ shape: [Int]) {
            let slot = TensorSlot(tensor: t, shape: shape, offset: offset)
            slots.append(slot)
            offset += slot.count
        }
        add(.tokenEmbedding, [config.vocabSize, config.nEmbd])
        add(.positionEmbedding, [config.nPositions, config.nEmbd])
        for layer in 0..<config.nLayer {
            for t in BlockTensor.allCases { add(.block(layer, t), t.shape(config)) }
        }
        add(.finalNormWeight, [config.nEmbd])
        add(.finalNormBias, [config.nEmbd])
        self.config = config
        self.slots = slots
        self.totalCount = offset
        self.index = Dictionary(uniqueKeysWithValues: slots.enumerated().map { ($1.tensor, $0) })
    }

    public func slot(_ tensor: GPT2Tensor) -> TensorSlot {
        // Every GPT2Tensor with an in-range layer has a slot; out-of-range layers are a programming error.
        guard let i = index[tensor] else { preconditionFailure("no tensor \(tensor.huggingFaceName) in this layout") }
        return slots[i]
    }

    public func range(_ tensor: GPT2Tensor) -> Range<Int> { slot(tensor).range }

    /// The slot for a Hugging Face tensor name, with or without the `transformer.` prefix.
    public func slot(named name: String) -> TensorSlot? {
        let bare = name.hasPrefix("transformer.") ? String(name.dropFirst("transformer.".count)) : name
        return slots.first { $0.tensor.huggingFaceName == bare }
    }
}
