import ArgumentParser
import LNTune

/// The method and its options (`lntune train`). Each method declares its own options (`--ln-layers`,
/// `--prefix-length`, …) in its folder of the Tuning target; the words ArgumentParser does not know are
/// handed to the method registry, which refuses an option of another method or one no method has.
struct MethodOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Tuning method: \(TuningMethods.names.joined(separator: ", ")).",
            discussion: Self.methodHelp))
    var method: String = "ln"

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var methodArguments: [String] = []

    func configuration() throws -> TuningConfiguration {
        try TuningMethods.configuration(named: method, arguments: methodArguments)
    }

    /// Every method and its options, from the registry.
    static var methodHelp: String {
        let methods = TuningMethods.summaries.map { "  \($0.name): \($0.summary)" }
        let options = TuningMethods.entries.flatMap { entry in
            entry.options.map { "  \($0.usage)  (\(entry.name)) \($0.help)" }
        }
        return (["Methods:"] + methods + ["Method options:"] + options).joined(separator: "\n")
    }
}

/// Optimisation and schedule (`lntune train`).
struct OptimizationOptions: ParsableArguments {
    @Option(help: "Epochs over the training data.")
    var epochs = 1

    @Option(help: "Stop after this many optimizer steps (the schedule spans them; overrides --epochs).")
    var maxSteps: Int?

    @Option(
        name: .customLong("lr"),
        help: "Peak learning rate (default: 1e-3 for ln and bitfit, 2e-4 for lora, 5e-5 otherwise).")
    var learningRate: Double?

    @Option(help: "Learning-rate schedule after warm-up (linear decays to 0).")
    var schedule = LearningRateShape.linear

    @Option(help: "Sequences per micro-batch.")
    var batchSize = 8

    @Option(help: "Micro-batches per optimizer step (gradient accumulation).")
    var gradAccum = 1

    @Option(help: "Warm-up steps (learning rate rising linearly from 0).")
    var warmup = 0

    @Option(help: "AdamW weight decay (HF rule: never on biases and LayerNorm weights).")
    var weightDecay: Float = 0

    @Option(help: "Clip the global gradient norm at this value (0 = off).")
    var clip: Float = 1

    @Option(help: "Seed of the data order, the prefix initialisation and the dropout masks.")
    var seed: UInt64 = 42

    @Option(
        help: ArgumentHelp(
            "GPT-2's dropout probability while training (embeddings, attention probabilities, residual branches).",
            discussion: "0 (the default) trains without dropout, as Li & Liang's scripts do; 0.1 is what "
                + "transformers applies to GPT-2 in train mode (embd_pdrop, attn_pdrop, resid_pdrop)."))
    var dropout: Float = 0

    @Option(help: "Evaluate the dev loss every N steps (it is always evaluated at each epoch end and the last step).")
    var evalEvery: Int?

    @Option(help: "Write a resumable checkpoint every N steps (Ctrl-C and SIGTERM always write one).")
    var saveEvery: Int?

    @Option(help: "Stop after N evaluations in a row without a better dev loss.")
    var earlyStoppingPatience: Int?
}
