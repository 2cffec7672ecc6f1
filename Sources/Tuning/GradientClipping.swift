/// Global gradient-norm clipping over the trainable ranges, as `torch.nn.utils.clip_grad_norm_`:
/// the L2 norm of all gradients together; when it exceeds `maxNorm`, every gradient is scaled by
/// `maxNorm / (norm + 1e-6)`.
public enum GradientClipping {
    /// Returns the norm before clipping (what training logs report).
    @discardableResult
    public static func clip(
        _ gradients: UnsafeMutablePointer<Float>, ranges: [Range<Int>], maxNorm: Float
    ) -> Float {
        var sumSquares = 0.0  // accumulate in Double: 124M squares in Float lose the small ones
        for r in ranges {
            var partial: Float = 0
            for i in r {
                partial += gradients[i] * gradients[i]
                if (i - r.lowerBound) & 4095 == 4095 {
                    sumSquares += Double(partial)
                    partial = 0
                }
            }
            sumSquares += Double(partial)
        }
        let norm = Float(sumSquares.squareRoot())
        let coefficient = maxNorm / (norm + 1e-6)
        if maxNorm > 0 && coefficient < 1 {
            for r in ranges { for i in r { gradients[i] *= coefficient } }
        }
        return norm
    }
}
