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

    /// A wrong method or method option is a usage error (exit 64), found before anything is loaded.
    func validate() throws {
        do {
            _ = try configuration()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Every method and its options, from the registry.
    static var methodHelp: String {
        let methods = TuningMethods.summaries.map { "  \($0.name): \($0.summary)" }
        // An option several methods share (the bottleneck adapters') is listed once, naming them all.
        var owners: [String: [String]] = [:]
        var order: [(usage: String, help: String)] = []
        for entry in TuningMethods.entries {
            for option in entry.options {
                let key = option.usage + option.help
                if owners[key] == nil { order.append((option.usage, option.help)) }
                owners[key, default: []].append(entry.name)
            }
        }
        let options = order.map { option in
            "  \(option.usage)  (\((owners[option.usage + option.help] ?? []).joined(separator: ", "))) \(option.help)"
        }
        return (["Methods:"] + methods + ["Method options:"] + options).joined(separator: "\n")
    }
}

/// Optimisation and schedule (`lntune train`). The numeric options parse `.unconditional`ly, so a negative value
/// (`--lr -1`) is read as the value and refused by the settings' check naming the flag, not as a missing value.
struct OptimizationOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Epochs over the training data.")
    var epochs = 1

    @Option(
        parsing: .unconditional,
        help: "Stop after this many optimizer steps (the schedule spans them; overrides --epochs).")
    var maxSteps: Int?

    @Option(
        name: .customLong("lr"), parsing: .unconditional,
        help: "Peak learning rate (default: 1e-3 ln, bitfit; 2e-4 lora; 1e-4 adapters, mam; 5e-5 prefix, full).")
    var learningRate: Double?

    @Option(help: "Learning-rate schedule after warm-up (linear decays to 0).")
    var schedule = LearningRateShape.linear

    @Option(parsing: .unconditional, help: "Sequences per micro-batch.")
    var batchSize = 8

    @Option(parsing: .unconditional, help: "Micro-batches per optimizer step (gradient accumulation).")
    var gradAccum = 1

    @Option(parsing: .unconditional, help: "Warm-up steps (learning rate rising linearly from 0).")
    var warmup = 0

    @Option(parsing: .unconditional, help: "AdamW weight decay (HF rule: never on biases and LayerNorm weights).")
    var weightDecay: Float = 0

    @Option(parsing: .unconditional, help: "Clip the global gradient norm at this value (0 = off).")
    var clip: Float = 1

    @Option(parsing: .unconditional, help: "Seed of the data order, the prefix initialisation and the dropout masks.")
    var seed: UInt64 = 42

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "GPT-2's dropout probability while training (embeddings, attention probabilities, residual branches).",
            discussion: "0 (the default) trains without dropout, as Li & Liang's scripts do; 0.1 is what "
                + "transformers applies to GPT-2 in train mode (embd_pdrop, attn_pdrop, resid_pdrop)."))
    var dropout: Float = 0

    @Option(
        parsing: .unconditional,
        help: "Evaluate the dev loss every N steps (it is always evaluated at each epoch end and the last step).")
    var evalEvery: Int?

    @Option(
        parsing: .unconditional,
        help: "Write a resumable checkpoint every N steps (Ctrl-C and SIGTERM always write one).")
    var saveEvery: Int?

    @Option(parsing: .unconditional, help: "Stop after N evaluations in a row without a better dev loss.")
    var earlyStoppingPatience: Int?
}
