import Foundation

/// The model hyper-parameters, decoded from a Hugging Face `config.json` with its key names.
///
/// Only what changes the computation is kept; settings LNTune does not implement (another activation,
/// attention scaling variants, another `model_type`) are rejected by `validate()` rather than guessed.
public struct GPT2Config: Codable, Equatable, Sendable {
    public var modelType: String
    public var vocabSize: Int
    public var nPositions: Int
    public var nEmbd: Int
    public var nLayer: Int
    public var nHead: Int
    /// Width of the MLP's hidden layer; Hugging Face writes `null` for the default 4·n_embd.
    public var nInner: Int?
    public var activationFunction: String
    public var layerNormEpsilon: Float
    public var tieWordEmbeddings: Bool
    public var scaleAttnWeights: Bool
    public var scaleAttnByInverseLayerIdx: Bool
    public var reorderAndUpcastAttn: Bool
    public var bosTokenId: Int?
    public var eosTokenId: Int?

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case vocabSize = "vocab_size"
        case nPositions = "n_positions"
        case nEmbd = "n_embd"
        case nLayer = "n_layer"
        case nHead = "n_head"
        case nInner = "n_inner"
        case activationFunction = "activation_function"
        case layerNormEpsilon = "layer_norm_epsilon"
        case tieWordEmbeddings = "tie_word_embeddings"
        case scaleAttnWeights = "scale_attn_weights"
        case scaleAttnByInverseLayerIdx = "scale_attn_by_inverse_layer_idx"
        case reorderAndUpcastAttn = "reorder_and_upcast_attn"
        case bosTokenId = "bos_token_id"
        case eosTokenId = "eos_token_id"
    }

    public init(
        vocabSize: Int = 50257, nPositions: Int = 1024, nEmbd: Int = 768, nLayer: Int = 12, nHead: Int = 12,
        nInner: Int? = nil, layerNormEpsilon: Float = 1e-5, bosTokenId: Int? = 50256, eosTokenId: Int? = 50256
    ) {
        self.modelType = "gpt2"
        self.vocabSize = vocabSize
        self.nPositions = nPositions
        self.nEmbd = nEmbd
        self.nLayer = nLayer
        self.nHead = nHead
        self.nInner = nInner
        self.activationFunction = "gelu_new"
        self.layerNormEpsilon = layerNormEpsilon
        self.tieWordEmbeddings = true
        self.scaleAttnWeights = true
        self.scaleAttnByInverseLayerIdx = false
        self.reorderAndUpcastAttn = false
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
    }

    /// Missing keys take transformers' `GPT2Config` defaults, so a minimal config.json loads as it does there.
    /// Numbers are decoded with errors naming the key and the value (`ConfigNumberDecoding`); ranges are
    /// checked by `validate`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GPT2Config()
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType) ?? d.modelType
        vocabSize = try c.decodeIntegerIfPresent(.vocabSize) ?? d.vocabSize
        nPositions = try c.decodeIntegerIfPresent(.nPositions) ?? d.nPositions
        nEmbd = try c.decodeIntegerIfPresent(.nEmbd) ?? d.nEmbd
        nLayer = try c.decodeIntegerIfPresent(.nLayer) ?? d.nLayer
        nHead = try c.decodeIntegerIfPresent(.nHead) ?? d.nHead
        nInner = try c.decodeIntegerIfPresent(.nInner)
        activationFunction = try c.decodeIfPresent(String.self, forKey: .activationFunction) ?? d.activationFunction
        layerNormEpsilon = try c.decodeFloatIfPresent(.layerNormEpsilon) ?? d.layerNormEpsilon
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? d.tieWordEmbeddings
        scaleAttnWeights = try c.decodeIfPresent(Bool.self, forKey: .scaleAttnWeights) ?? d.scaleAttnWeights
        scaleAttnByInverseLayerIdx =
            try c.decodeIfPresent(Bool.self, forKey: .scaleAttnByInverseLayerIdx) ?? d.scaleAttnByInverseLayerIdx
        reorderAndUpcastAttn = try c.decodeIfPresent(Bool.self, forKey: .reorderAndUpcastAttn) ?? d.reorderAndUpcastAttn
        bosTokenId = try c.decodeIntegerIfPresent(.bosTokenId) ?? d.bosTokenId
        eosTokenId = try c.decodeIntegerIfPresent(.eosTokenId) ?? d.eosTokenId
    }
}

extension GPT2Config {
    /// The published GPT-2 sizes (transformers' `gpt2`, `gpt2-medium`, `gpt2-large`, `gpt2-xl` configs).
    public static let small = GPT2Config()
    public static let medium = GPT2Config(nEmbd: 1024, nLayer: 24, nHead: 16)
    public static let large = GPT2Config(nEmbd: 1280, nLayer: 36, nHead: 20)
    public static let xl = GPT2Config(nEmbd: 1600, nLayer: 48, nHead: 25)
}
