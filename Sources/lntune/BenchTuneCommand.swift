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

    @Option(help: "A model folder or a cached hub name (default: a random-weight GPT-2 of --config).")
    var model: String?
    @Option(help: "Size of the random-weight GPT-2 used without --model: small (124M) or medium (355M).")
    var config: ModelBenchmark.ModelSize = .small

    @OptionGroup(title: "Method") var method: MethodOptions

    @Option(help: "Rows per batch.") var batchSize = 8
    @Option(help: "Tokens per row.") var seqLen = 128
    @Option(help: "Timed repetitions.") var repeats = 5

    func validate() throws {
        _ = try method.configuration()
        guard batchSize > 0, seqLen > 1, repeats > 0 else {
            throw ValidationError("sizes must be positive and --seq-len > 1")
        }
    }

    func run() throws {
        print(CPUInfo.current().header(json: false))
        let gpt2 =
            try model.map { try ModelLoader.loadWeights(ModelRequest(model: $0)).makeModel() }
            ?? ModelBenchmark.randomModel(config.gpt2Config)
        let result = try TuneBenchmark.run(
            model: gpt2,
            configuration: try method.configuration(), batchSize: batchSize,
            seqLen: seqLen, repeats: repeats)
        print(result.text)
    }
}
