/// The steps of the forward, in forward order; the backward visits them in reverse and stops at the lowest one
/// holding something trainable.
///
/// `Comparable` is the forward order (synthesized: cases in declaration order, blocks by layer and then by
/// step), so "does the backward still need this step's input gradient?" reads `lowest < stage`.
enum BackwardStage: Comparable, Hashable, Sendable {
    /// Token and position embeddings; also the tied LM head's weight (`wte`).
    case embeddings
    case block(Int, BlockStage)
    /// `ln_f`, the last step before the head.
    case finalNorm

    /// The steps of one transformer block, in forward order.
    enum BlockStage: Comparable, Hashable, Sendable {
        case ln1
        case qkv
        /// Scaled dot-product attention over the cache, where the prefix slots enter.
        case attention
        case attnProj
        /// The attention sublayer's output joining the stream (`afterAttention` hooks; no base tensor).
        case attnOutput
        case ln2
        case fc
        case mlpProj
        /// The MLP sublayer's output joining the stream (`afterMLP`, `parallelMLP` hooks; no base tensor).
        case mlpOutput
    }

    /// The step whose weight gradient `tensor` is.
    init(_ tensor: GPT2Tensor) {
        switch tensor {
        case .tokenEmbedding, .positionEmbedding: self = .embeddings
        case .finalNormWeight, .finalNormBias: self = .finalNorm
        case let .block(layer, t):
            switch t {
            case .ln1Weight, .ln1Bias: self = .block(layer, .ln1)
            case .attnQKVWeight, .attnQKVBias: self = .block(layer, .qkv)
            case .attnProjWeight, .attnProjBias: self = .block(layer, .attnProj)
            case .ln2Weight, .ln2Bias: self = .block(layer, .ln2)
            case .mlpFCWeight, .mlpFCBias: self = .block(layer, .fc)
            case .mlpProjWeight, .mlpProjBias: self = .block(layer, .mlpProj)
            }
        }
    }

    /// Where the Prefix-Tuning slots enter: layer 0's attention reads the first layer's prefix keys and values.
    static let prefix = BackwardStage.block(0, .attention)
}
