import ArgumentParser
import Benchmarks
import LNTune

extension ModelBenchmark.ModelSize: ExpressibleByArgument {}

/// Options shared by the model benchmarks.
struct ModelBenchOptions: ParsableArguments {
    @Option(help: "Model size: small (124M) or medium (355M); weights are random.")
    var config: ModelBenchmark.ModelSize = .small
    static let seqLenBound = NumericBound("--seq-len", 2...1024, note: "at most the model's n_positions")

    @Option(parsing: .unconditional, help: SharedBounds.batchSize.help("Rows per batch."))
    var batchSize: Int = 8
    @Option(parsing: .unconditional, help: seqLenBound.help("Tokens per row."))
    var seqLen: Int = 128
    @Option(
        parsing: .unconditional,
        help: SharedBounds.repeats.help("Timed runs (the best is reported) after one warm-up run."))
    var repeats: Int = 3
    @Flag(help: "Print JSON lines (the CPU, then the result) instead of text (for eval/bench_forward.py).")
    var json = false
    @Option(help: .precision) var precision: Precision = .fp32

    func validate() throws {
        try SharedBounds.batchSize.check(batchSize)
        try Self.seqLenBound.check(seqLen)
        try SharedBounds.repeats.check(repeats)
        guard seqLen <= config.gpt2Config.nPositions else {
            throw ValidationError("--seq-len must be at most \(config.gpt2Config.nPositions) (n_positions)")
        }
    }

    /// Refuses a run whose activations (all positions' logits for a forward; every layer's inputs for a
    /// training step) would not fit in memory.
    func checkMemory(training: Bool) throws {
        let c = config.gpt2Config
        var budget = MemoryEstimate([
            (
                "activations",
                MemoryEstimate.activations(c, rows: batchSize, length: seqLen, keys: seqLen, training: training)
            )
        ])
        if !training {
            budget.parts.append(("logits", MemoryEstimate.logits(c, rows: MemoryEstimate.multiply(batchSize, seqLen))))
        }
        try budget.check(
            "\(training ? "a training step" : "a forward") over \(batchSize) × \(seqLen) tokens",
            hint: "lower --batch-size or --seq-len")
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
        try options.checkMemory(training: false)
        print(CPUInfo.current().header(json: options.json))
        notePrecision(options.precision)
        let model = try ModelBenchmark.randomModel(options.config.gpt2Config, precision: options.precision)
        let (b, t, repeats) = (options.batchSize, options.seqLen, options.repeats)
        let all = try ModelBenchmark.forward(model: model, batchSize: b, seqLen: t, rows: .all, repeats: repeats)
        let last = try ModelBenchmark.forward(model: model, batchSize: b, seqLen: t, rows: .last, repeats: repeats)
        print(options.report("forward", all, lastPositionOnly: last.tokensPerSecond))
    }
}
