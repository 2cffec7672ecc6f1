/// One contiguous run of trainable values with its gradient: a base-model tensor (a range of the flat
/// parameter buffer) or a prefix-encoder tensor. The optimizer, the clipping and the training checkpoint
/// see nothing else, so frozen values are never read for an update nor written.
public struct TrainableSegment: @unchecked Sendable {
    /// `transformer.h.0.ln_1.weight` (HF name) or `prompt_encoder.embedding.weight` (PEFT name).
    public let name: String
    public let shape: [Int]
    let values: UnsafeMutablePointer<Float>
    let gradients: UnsafeMutablePointer<Float>
    /// HF Trainer's weight-decay rule: false for biases and LayerNorm weights.
    public let decays: Bool
    /// Where this segment's optimizer state starts in the compact moment buffers.
    public let stateOffset: Int

    public var count: Int { shape.reduce(1, *) }
    public var valueBuffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: values, count: count)
    }
    public var gradientBuffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: gradients, count: count)
    }
}
