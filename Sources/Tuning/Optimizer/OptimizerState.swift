import Kernels

/// The optimizer's moments, stored only for trainable values: one compact buffer per moment, segment after
/// segment. LN-Tuning of GPT-2 small keeps 2 × 38,400 floats, not 2 × 124 M.
public final class OptimizerState: @unchecked Sendable {
    public let options: OptimizerOptions
    /// AdamW's `exp_avg`, or SGD's `momentum_buffer` (empty for plain SGD).
    public let firstMoment: FloatBuffer
    /// AdamW's `exp_avg_sq` (empty for SGD).
    public let secondMoment: FloatBuffer

    /// Zeroed state for `trainableCount` values.
    public init(options: OptimizerOptions, trainableCount: Int) {
        self.options = options
        switch options.algorithm {
        case .adamW:
            firstMoment = FloatBuffer(count: trainableCount)
            secondMoment = FloatBuffer(count: trainableCount)
        case .sgd:
            firstMoment = FloatBuffer(count: options.momentum != 0 ? trainableCount : 0)
            secondMoment = FloatBuffer(count: 0)
        }
    }

    /// The moment buffers a checkpoint stores, by name.
    var moments: [(name: String, buffer: FloatBuffer)] {
        switch options.algorithm {
        case .adamW: return [("exp_avg", firstMoment), ("exp_avg_sq", secondMoment)]
        case .sgd: return options.momentum != 0 ? [("momentum_buffer", firstMoment)] : []
        }
    }

    /// Optimizer step number `step` (1 for the first update, as torch counts) over `segments` at `learningRate`.
    public func update(_ segments: [TrainableSegment], step: Int, learningRate: Double) {
        switch options.algorithm {
        case .adamW:
            let decayed = AdamW(
                learningRate: learningRate, beta1: options.beta1, beta2: options.beta2, epsilon: options.epsilon,
                weightDecay: options.weightDecay)
            var plain = decayed
            plain.weightDecay = 0
            for s in segments {
                // Each segment is handed over as its own 0-based range, with the moment pointers shifted to
                // its compact offset: the kernel indexes values, gradients and moments alike.
                (options.decays(s.decays) ? decayed : plain).update(
                    parameters: s.values, gradients: s.gradients, firstMoment: firstMoment.base + s.stateOffset,
                    secondMoment: secondMoment.base + s.stateOffset, ranges: [0..<s.count], step: step)
            }
        case .sgd:
            for s in segments {
                // torch's `add_(d, alpha=-lr)` rounds the Python-float rate to the tensor's dtype.
                sgd(
                    s, step: step, learningRate: Float(learningRate),
                    decay: options.decays(s.decays) ? options.weightDecay : 0)
            }
        }
    }

    /// `torch.optim.SGD` (single-tensor path, dampening 0, no Nesterov): d = g + λθ; with momentum μ,
    /// b = d on the first step, else b = μb + d, and d = b; then θ ← θ − lr·d.
    private func sgd(_ s: TrainableSegment, step: Int, learningRate lr: Float, decay: Float) {
        let mu = options.momentum
        let buffer = firstMoment.base + s.stateOffset
        for i in 0..<s.count {
            var d = s.gradients[i]
            if decay != 0 { d += decay * s.values[i] }
            if mu != 0 {
                buffer[i] = step == 1 ? d : buffer[i] * mu + d
                d = buffer[i]
            }
            s.values[i] += -lr * d
        }
    }
}
