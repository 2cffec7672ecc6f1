import ArgumentParser
import Benchmarks
import LNTune

extension ModelBenchmark.ModelSize: ExpressibleByArgument {}

/// Options shared by the model benchmarks.
struct ModelBenchOptions: ParsableArguments {
    @Option(help: "Model size: small (124M) or medium (355M); weights are random.")
    var config: ModelBenchmark.ModelSize = .small
    @Option(help: "Rows per batch.")
    var batchSize: Int = 8
    @Option(help: "Tokens per row.")
    var seqLen: Int = 128
    @OptionGroup var timing: BenchRunOptions
    @Flag(help: "Print JSON lines (the CPU, then the result) instead of text (for eval/bench_forward.py).")
    var json = false

    func validate() throws {
        guard batchSize > 0, seqLen > 1 else {
            throw ValidationError("--batch-size must be positive, --seq-len > 1")
        }
        guard seqLen <= config.gpt2Config.nPositions else {
            throw ValidationError("--seq-len must be at most \(config.gpt2Config.nPositions) (n_positions)")
        }
    }

    /// The report of one benchmark, as text or JSON.
    func report(_ name: String, _ result: ModelBenchmark.Result, lastPositionOnly: Double? = nil) -> String {
        let report = ModelBenchReport(
            benchmark: name, config: config.rawValue, batchSize: batchSize, seqLen: seqLen, result: result,
            lastPositionOnlyTokensPerSecond: lastPositionOnly)
        return json ? report.json : report.text
    }
}

/// `lntune bench forward`: forward tokens/s on a random GPT-2 (logits at every position, and at the last
/// position only).
struct BenchForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward", abstract: "Forward-pass throughput on a random-weight GPT-2.")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        print(CPUInfo.current().header(json: options.json))
        let model = try ModelBenchmark.randomModel(options.config.gpt2Config)
        let (b, t, repeats) = (options.batchSize, options.seqLen, options.timing.repeats)
        let all = try ModelBenchmark.forward(model: model, batchSize: b, seqLen: t, rows: .all, repeats: repeats)
        let last = try ModelBenchmark.forward(model: model, batchSize: b, seqLen: t, rows: .last, repeats: repeats)
        print(options.report("forward", all, lastPositionOnly: last.tokensPerSecond))
    }
}
