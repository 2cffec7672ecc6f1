import ArgumentParser
import Benchmarks
import LNTune

/// `lntune bench tune`: optimizer steps per second of a tuning method, against the bare model math.
struct BenchTuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Time Tuner.step (forward + backward + clip + update) against a bare lossAndGradients call.",
        discussion: """
            Runs interleaved: one bare GPT2Model.lossAndGradients on the batch (the model math alone), then one \
            Tuner.step on it; prints best and median of each, tokens/s, the tuner's overhead ratio, its trainable \
            and optimizer-state sizes, and the process's peak resident memory.
            """)

    @Option(
        help: ArgumentHelp(
            "Model: a folder (config.json + model.safetensors) or a hub name in the Hugging Face cache (gpt2);"
                + " default: a random-weight GPT-2 of --config."))
    var model: String?
    @Option(help: "Size of the random-weight GPT-2 used without --model: small (124M) or medium (355M).")
    var config: ModelBenchmark.ModelSize = .small

    @OptionGroup(title: "Method") var method: MethodOptions

    @Option(parsing: .unconditional, help: SharedBounds.batchSize.help("Rows per batch.")) var batchSize = 8
    @Option(parsing: .unconditional, help: ModelBenchOptions.seqLenBound.help("Tokens per row.")) var seqLen = 128
    @Option(parsing: .unconditional, help: SharedBounds.repeats.help("Timed repetitions.")) var repeats = 5

    func validate() throws {
        try CommandFailure.usage { _ = try method.configuration() }
        try SharedBounds.batchSize.check(batchSize)
        try ModelBenchOptions.seqLenBound.check(seqLen)
        try SharedBounds.repeats.check(repeats)
        try PathFlags.refuseEmpty([("--model", model)])
    }

    func run() throws {
        let gpt2 =
            try model.map { try ModelLoader.loadWeights(ModelRequest(model: $0)).makeModel() }
            ?? ModelBenchmark.randomModel(config.gpt2Config)
        try MemoryEstimate([
            (
                "activations",
                MemoryEstimate.activations(gpt2.config, rows: batchSize, length: seqLen, keys: seqLen, training: true)
            )
        ]).check(
            "a training step over \(batchSize) × \(seqLen) tokens", hint: "lower --batch-size or --seq-len")
        print(CPUInfo.current().header(json: false))
        let result = try TuneBenchmark.run(
            model: gpt2,
            configuration: try method.configuration(), batchSize: batchSize,
            seqLen: seqLen, repeats: repeats)
        print(result.text)
    }
}
