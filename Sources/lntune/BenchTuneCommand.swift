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

    @Option(help: .model) var model: String

    @OptionGroup(title: "Method") var method: MethodOptions

    @Option(help: "Rows per batch.") var batchSize = 8
    @Option(help: "Tokens per row.") var seqLen = 128
    @OptionGroup var timing: BenchRunOptions

    func validate() throws {
        guard batchSize > 0, seqLen > 1 else {
            throw ValidationError("sizes must be positive and --seq-len > 1")
        }
    }

    func run() throws {
        print(CPUInfo.current().header(json: false))
        let result = try TuneBenchmark.run(
            model: try ModelLoader.loadWeights(ModelRequest(model: model)).makeModel(),
            configuration: try method.configuration(), batchSize: batchSize,
            seqLen: seqLen, repeats: timing.repeats)
        print(result.text)
    }
}
