import ArgumentParser
import Foundation
import LNTune

/// `lntune quickstart`: the whole pipeline offline on the bundled sample and tiny model (see `Quickstart`).
struct QuickstartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickstart",
        abstract: "Run the whole pipeline offline: data, model, LN-Tuning, generation, scores.",
        discussion: """
            By default it LN-tunes data/tiny-model (a 0.9M-parameter GPT-2 that LNTune pretrained on restaurant \
            descriptions, see data/README.md) on data/sample (meaning representation → sentence), prints the dev \
            loss before and after, generates for the test MRs with the untuned and the tuned model and scores \
            both, then compares --study-methods in a small study (OUT/study/report.html). --model gpt2 (after \
            `lntune download gpt2`) runs the same on the real GPT-2. Outputs go to --out; the files a run writes \
            there are replaced on each quickstart, nothing else.
            """)

    @Option(help: "Model folder or downloaded hub name (default: the bundled data/tiny-model).")
    var model: String?

    @Option(help: "Folder with train.csv, dev.csv and test.csv in E2E format (default: data/sample).")
    var data: String?

    @Option(help: "Output folder.")
    var out = "quickstart-out"

    static let epochsBound = NumericBound("--epochs", 1...1000)
    static let learningRateBound = NumericBound("--lr", above: 0.0, atMost: 1.0)
    static let testExamplesBound = NumericBound("--test-examples", 1...1_000_000)

    @Option(parsing: .unconditional, help: epochsBound.help("Training epochs."))
    var epochs = 4

    @Option(
        name: .customLong("lr"), parsing: .unconditional,
        help: learningRateBound.help("Peak learning rate of LN-Tuning."))
    var learningRate = 1e-2

    @Option(parsing: .unconditional, help: SharedBounds.batchSize.help("Sequences per batch."))
    var batchSize = 8

    @Option(
        parsing: .unconditional, help: testExamplesBound.help("Generate for only the first N test MRs (default: all)."))
    var testExamples: Int?

    @Option(help: "Methods the closing study compares (comma-separated; 'none' skips the study).")
    var studyMethods = "ln,prefix,prefix+ln"

    func validate() throws {
        try Self.epochsBound.check(epochs)
        try Self.learningRateBound.check(learningRate)
        try SharedBounds.batchSize.check(batchSize)
        try Self.testExamplesBound.check(testExamples)
        try PathFlags.refuseEmpty([("--model", model), ("--data", data), ("--out", out)])
    }

    func run() throws {
        let started = Date()
        let stop = StopRequest()
        let trap = SignalTrap(stop: stop) { _ in
            FileHandle.standardError.write(Data("\nstopping after this step (again to quit now)\n".utf8))
        }
        defer { trap.uninstall() }
        let options = Quickstart.Options(
            model: model, data: data, out: out, epochs: epochs, learningRate: learningRate, batchSize: batchSize,
            testExamples: testExamples,
            studyMethods: studyMethods == "none" ? [] : studyMethods.split(separator: ",").map(String.init))
        let result = try Quickstart(options: options).run(stop: stop)
        if result.training.status == .interrupted, let signal = trap.firstSignal {
            throw ExitCode(SignalTrap.exitStatus(signal))
        }
        print(String(format: "\nquickstart finished in %.0f s", Date().timeIntervalSince(started)))
    }
}
