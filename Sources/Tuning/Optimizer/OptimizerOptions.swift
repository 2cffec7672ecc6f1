/// The optimizer and its hyperparameters (the learning rate comes from the `LearningRateSchedule`).
///
/// Weight decay follows HF Trainer by default (`decayScope: .huggingFace`): biases and LayerNorm weights are
/// never decayed (`Trainer.get_decay_parameter_names`: LayerNorm modules and names containing "bias"
/// are excluded). For LN-Tuning that means weight decay has no effect at all — every trained value is a
/// LayerNorm gain or bias — exactly as when PEFT's LN-Tuning runs under HF Trainer. The prefix encoder's
/// embedding and Linear weights decay, its biases do not. `.all` decays every trainable value, as a plain
/// `torch.optim.AdamW(model.parameters())` would.
public struct OptimizerOptions: Equatable, Sendable, Codable {
    public enum Algorithm: String, Equatable, Sendable, Codable, CaseIterable {
        /// `torch.optim.AdamW` (decoupled weight decay), via Kernels `AdamW`.
        case adamW = "adamw"
        /// `torch.optim.SGD` (optional momentum without dampening; weight decay added to the gradient).
        case sgd
    }

    public enum DecayScope: String, Equatable, Sendable, Codable, CaseIterable {
        /// No decay for biases and LayerNorm weights (HF Trainer).
        case huggingFace = "hf"
        /// Decay every trainable value.
        case all
    }

    public var algorithm: Algorithm
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// HF `TrainingArguments.weight_decay` (default 0).
    public var weightDecay: Float
    public var decayScope: DecayScope
    /// SGD momentum (0 = plain SGD, no state kept).
    public var momentum: Float

    public init(
        algorithm: Algorithm = .adamW, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0, decayScope: DecayScope = .huggingFace, momentum: Float = 0
    ) {
        self.algorithm = algorithm
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decayScope = decayScope
        self.momentum = momentum
    }

    public func validate() throws(TuningError) {
        func check(_ ok: Bool, _ name: String, _ value: Float, _ hint: String) throws(TuningError) {
            if !ok { throw .invalidOption(name: name, value: "\(value)", hint: hint) }
        }
        try check((0..<1).contains(beta1), "adam-beta1", beta1, "must be in [0, 1)")
        try check((0..<1).contains(beta2), "adam-beta2", beta2, "must be in [0, 1)")
        // `>= 0` alone lets infinity through, which turns every decayed value into NaN on the first step.
        try check(epsilon >= 0 && epsilon.isFinite, "adam-epsilon", epsilon, "must be a finite number, 0 or more")
        try check(
            weightDecay >= 0 && weightDecay.isFinite, "weight-decay", weightDecay, "must be a finite number, 0 or more")
        try check(momentum >= 0 && momentum < 1, "momentum", momentum, "must be in [0, 1)")
    }

    /// Whether a value of a tensor that the HF rule marks `decays` is decayed under these options.
    func decays(_ hfRuleSaysDecay: Bool) -> Bool {
        weightDecay != 0 && (decayScope == .all || hfRuleSaysDecay)
    }
}
