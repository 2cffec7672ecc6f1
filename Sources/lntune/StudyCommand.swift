import ArgumentParser
import Foundation
import LNTune

extension StudyAblation: ExpressibleByArgument {}

/// `lntune study`: the paper's comparison table on this machine — every method (and ablation) × seed trained,
/// decoded on the test set and scored, as mean ± std (see `Study`).
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Compare tuning methods: train each (× seeds, ablations), decode the test set, tabulate scores.",
        discussion: """
            Runs go to OUT/runs/NAME (lntune train's files plus test_predictions.jsonl and study_result.json); \
            OUT/results.md, results.csv, results.json and report.html hold the comparison. Run the same command \
            again to continue: finished runs are skipped, an interrupted one resumes from its checkpoint.
            """)

    @OptionGroup(title: "Model") var model: ModelOptions
    @Option(help: "Dataset task (the test file must have references).") var task: DatasetTask
    @Option(help: "Training data file.") var train: String
    @Option(help: "Dev data file (dev loss, best/ adapter).") var dev: String?
    @Option(help: "Test data file with references, decoded and scored after each run.") var test: String

    @Option(help: "Comma-separated methods (default: every registered one).")
    var methods = TuningMethods.names.joined(separator: ",")
    @Option(help: "Also run LN-training methods with part of the LayerNorms: terms, modules or layers.")
    var ablation: StudyAblation?
    @Option(parsing: .unconditional, help: "Comma-separated seeds; each configuration runs once per seed.") var seeds =
        "1"
    @Option(parsing: .unconditional, help: StudyBounds.epochs.help("Epochs per run.")) var epochs = 1
    @Option(parsing: .unconditional, help: StudyBounds.maxSteps.help("Optimizer steps per run (overrides --epochs)."))
    var maxSteps: Int?
    @Option(
        name: .customLong("lr"), help: "Peak learning rate: one for all (5e-3) or per method (ln=1e-2,prefix=5e-3).")
    var learningRate: String?
    @Option(parsing: .unconditional, help: SharedBounds.batchSize.help("Sequences per batch (training and decoding)."))
    var batchSize = 8
    @Option(
        parsing: .unconditional,
        help: StudyBounds.evalEvery.help("Evaluate the dev loss every N steps (default: a fifth of --max-steps)."))
    var evalEvery: Int?
    @Option(help: "Dev metrics while training (see lntune train --eval-metrics).") var evalMetrics: String?
    @Option(help: "Test metrics: comma-separated, from bleu,rouge,nist,cider,ter,chrf.") var metrics = "bleu,rouge"
    @Option(parsing: .unconditional, help: StudyBounds.testExamples.help("Decode only the first N test examples."))
    var testExamples: Int?
    @Option(help: "Decoding preset for the test set (lntune generate --preset).") var preset = GenerationPreset.greedy
    @Option(parsing: .unconditional, help: DecodingOptions.maxNewTokens.help("New tokens per test example."))
    var maxNewTokens = 64
    @Option(help: "Study folder.") var out: String
    @Flag(help: "Redo runs in OUT whose recorded settings differ from these.") var overwrite = false
    @Option(
        parsing: .unconditional,
        help: StudyBounds.logEvery.help("Without a terminal, print a progress line every N steps."))
    var logEvery = 10

    /// The numbers are refused before any run starts (a study runs for hours).
    func validate() throws {
        if model.precision != .fp32 { throw ValidationError("--precision bf16 is not supported by study yet") }
        try StudyBounds.epochs.check(epochs)
        try StudyBounds.maxSteps.check(maxSteps)
        try SharedBounds.batchSize.check(batchSize)
        try StudyBounds.evalEvery.check(evalEvery)
        try StudyBounds.testExamples.check(testExamples)
        try DecodingOptions.maxNewTokens.check(maxNewTokens)
        try StudyBounds.logEvery.check(logEvery)
    }

    func settings() throws -> StudySettings {
        let list = { (text: String) in text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let seedList = try list(seeds).map { text -> UInt64 in
            guard let seed = UInt64(text) else { throw ValidationError("--seeds takes whole numbers, not '\(text)'") }
            return seed
        }
        return StudySettings(
            model: try model.resolvedModel(), tokenizer: model.tokenizer, task: task.rawValue, train: train, dev: dev,
            test: test,
            methods: list(methods),
            ablation: ablation, seeds: seedList, epochs: epochs, maxSteps: maxSteps,
            learningRates: try learningRate.map(StudySettings.parseLearningRates) ?? [:], batchSize: batchSize,
            evalEvery: evalEvery ?? maxSteps.map { max(1, $0 / 5) },
            devMetrics: evalMetrics.map { DevMetricSettings(metrics: list($0)) }, testMetrics: list(metrics),
            testExamples: testExamples, preset: preset.name, maxNewTokens: maxNewTokens, out: out)
    }

    func run() throws {
        let study = try Study(settings: try settings(), overwrite: overwrite)
        let stop = StopRequest()
        let trap = SignalTrap(stop: stop) { _ in
            FileHandle.standardError.write(Data("\nstopping after this step; run the same command to continue\n".utf8))
        }
        defer { trap.uninstall() }
        let printer = StudyProgressPrinter(printer: ProgressPrinter(lineEvery: logEvery))
        let outcome = try study.run(stop: stop, observer: printer.handle)
        print("\n" + outcome.table.markdown())
        print("results: \(outcome.files.markdown.path), \(outcome.files.csv.path), \(outcome.files.json.path)")
        print("report:  \(outcome.files.report.path)")
        if outcome.interrupted, let signal = trap.firstSignal { throw ExitCode(SignalTrap.exitStatus(signal)) }
    }
}

/// The ranges of `lntune study`'s numbers (`NumericBound`).
enum StudyBounds {
    static let epochs = NumericBound("--epochs", 1...1000)
    static let maxSteps = NumericBound("--max-steps", 1...10_000_000)
    static let evalEvery = NumericBound("--eval-every", 1...10_000_000)
    static let testExamples = NumericBound("--test-examples", 1...10_000_000)
    static let logEvery = NumericBound("--log-every", 1...1_000_000)
}
