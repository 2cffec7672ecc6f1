import GPT2

/// The tuner's guard against divergence (a learning rate far too high, an infinite weight decay, a base model
/// that already computes NaN): a step whose loss or gradient norm is not finite stops before it updates
/// anything, and a step whose update made a value NaN or infinite stops right after it. Without it such a run
/// trained on to "done" and wrote an adapter of NaNs.
extension Tuner {
    /// Before the update: the step's loss and gradient norm (step is 1-based, the step being taken).
    func requireFinite(loss: Double, gradientNorm: Float, step: Int) throws(TuningError) {
        guard loss.isFinite else { throw .diverged(step: step, quantity: "loss", value: loss) }
        guard gradientNorm.isFinite else {
            throw .diverged(step: step, quantity: "gradient norm", value: Double(gradientNorm))
        }
    }

    /// After the update: every trainable value. The tuner's values are then no longer usable; nothing may be
    /// saved from it (the adapter and checkpoint writers refuse non-finite values as well).
    func requireFiniteValues(step: Int) throws(TuningError) {
        for segment in segments {
            if let bad = FiniteScan.firstNonFinite(UnsafeBufferPointer(segment.valueBuffer)) {
                throw .diverged(
                    step: step, quantity: "updated value \(segment.name)[\(bad.index)]", value: Double(bad.value))
            }
        }
    }
}
