/// Global gradient-norm clipping over the trainable values, as `torch.nn.utils.clip_grad_norm_`:
/// the L2 norm of all gradients together; when it exceeds `maxNorm`, every gradient is scaled by
/// `maxNorm / (norm + 1e-6)`. (torch always multiplies by the coefficient clamped to 1; multiplying by
/// exactly 1 changes nothing, so it is skipped.)
public enum GradientClipping {
    /// Clips `ranges` of one flat gradient buffer; returns the norm before clipping (what training logs report).
    @discardableResult
    public static func clip(
        _ gradients: UnsafeMutablePointer<Float>, ranges: [Range<Int>], maxNorm: Float
    ) -> Float {
        clip(
            ranges.map { UnsafeMutableBufferPointer(start: gradients + $0.lowerBound, count: $0.count) },
            maxNorm: maxNorm)
    }

    /// Clips several gradient buffers (base-model tensors and prefix parameters) as one vector.
    @discardableResult
    public static func clip(_ segments: [UnsafeMutableBufferPointer<Float>], maxNorm: Float) -> Float {
        let norm = self.norm(segments)
        let coefficient = maxNorm / (norm + 1e-6)
        if maxNorm > 0 && coefficient < 1 {
            for s in segments { for i in s.indices { s[i] *= coefficient } }
        }
        return norm
    }

    /// The L2 norm of all values of `segments` together.
    public static func norm(_ segments: [UnsafeMutableBufferPointer<Float>]) -> Float {
        var sumSquares = 0.0  // accumulate in Double: 124M squares in Float lose the small ones
        for s in segments {
            var partial: Float = 0
            for i in s.indices {
                partial += s[i] * s[i]
                if i & 4095 == 4095 {
                    sumSquares += Double(partial)
                    partial = 0
                }
            }
            sumSquares += Double(partial)
        }
        return Float(sumSquares.squareRoot())
    }
}
