/// AdamW with decoupled weight decay, step for step as `torch.optim.AdamW` (single-tensor CPU path):
///
///     θ ← θ·(1 − lr·λ)
///     m ← m + (1−β₁)·(g − m)            (torch `lerp_`)
///     v ← v·β₂ + (1−β₂)·g²
///     θ ← θ − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε)
///
/// It touches only the given index ranges of the flat parameter, gradient and moment buffers, so a tuning
/// method is just the set of ranges it trains; everything else stays bit-identical.
public struct AdamW: Sendable, Equatable {
    /// A Python float in torch: the scalars below are formed from it in Double, not from a Float copy.
    public var learningRate: Double
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float

    /// torch's defaults except the learning rate, which has none.
    public init(
        learningRate: Double, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Step number `step` (1 for the first update; torch increments its counter before using it) over
    /// `ranges` of the buffers, which share one layout.
    public func update(
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
        firstMoment m: UnsafeMutablePointer<Float>,
        secondMoment v: UnsafeMutablePointer<Float>, ranges: [Range<Int>], step: Int
    ) {
        // Scalars are formed in Double from the Python-float rate as torch does, then rounded once, as torch
        // rounds a Python scalar to the tensor's dtype.
        let lr = learningRate
        let b1 = Double(beta1), b2 = Double(beta2)
        let decay = Float(1 - lr * Double(weightDecay))
        let w1 = Float(1 - b1)
        let w2 = Float(1 - b2)
        let b2f = beta2
        let stepSize = Float(lr / (1 - pow(b1, Double(step))))
        let correction2 = Float((1 - pow(b2, Double(step))).squareRoot())
        let eps = epsilon
        for range in ranges {
            for i in range {
                let g = gradients[i]
                var p = parameters[i]
                if weightDecay != 0 { p *= decay }
                // torch's lerp switches formula at weight 0.5 to stay exact at the ends.
                m[i] = w1 < 0.5 ? m[i] + w1 * (g - m[i]) : g - (g - m[i]) * (1 - w1)
                v[i] = v[i] * b2f + w2 * (g * g)
                let denom = v[i].squareRoot() / correction2 + eps
                parameters[i] = p + (-stepSize) * (m[i] / denom)
            }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
