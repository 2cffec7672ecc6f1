import Datasets
import Decoding
import Foundation
import GPT2
import Metrics
import Tokenizers
import Tuning

/// `lntune quickstart`: the whole pipeline on the project's own small data and model, offline — data →
/// model → LN-Tuning with dev loss before and after → greedy generation for the test MRs, untuned beside
/// tuned → BLEU and ROUGE-L of both. Each step prints what it does; outputs land in `out`.
///
/// Generation calls the Decoding library directly and scoring the Metrics library; when `lntune generate`
/// gets a library entry point (a Generator in LNTune), `generate(...)` below is the one place to switch.
public struct Quickstart {
    public struct Options: Sendable {
        /// Model folder or hub name; nil = the bundled data/tiny-model.
        public var model: String?
        /// Folder with train.csv, dev.csv, test.csv (E2E format); nil = the bundled data/sample.
        public var data: String?
        public var out: String
        public var epochs: Int
        public var learningRate: Double
        public var batchSize: Int
        /// Test MRs to generate for (nil = all).
        public var testExamples: Int?
        public var maxNewTokens: Int
        /// The closing study (`lntune study` in small): these methods, one seed each; empty = no study.
        public var studyMethods: [String]
        /// Optimizer steps of each study run.
        public var studySteps: Int

        public init(
            model: String? = nil, data: String? = nil, out: String = "quickstart-out", epochs: Int = 4,
            learningRate: Double = 1e-2, batchSize: Int = 8, testExamples: Int? = nil, maxNewTokens: Int = 64,
            studyMethods: [String] = [], studySteps: Int = 20
        ) {
            self.model = model
            self.data = data
            self.out = out
            self.epochs = epochs
            self.learningRate = learningRate
            self.batchSize = batchSize
            self.testExamples = testExamples
            self.maxNewTokens = maxNewTokens
            self.studyMethods = studyMethods
            self.studySteps = studySteps
        }
    }

    /// What the quickstart measured.
    public struct Result: Sendable {
        public var training: TrainingSummary
        /// Corpus BLEU (0–100) and ROUGE-L F (0–1) on the test MRs, untuned and tuned.
        public var untuned: (bleu: Double, rougeL: Double)
        public var tuned: (bleu: Double, rougeL: Double)
        /// The closing study, when `studyMethods` named any.
        public var study: StudyOutcome?
    }

    public let options: Options
    public let printer: ProgressPrinter

    public init(options: Options, printer: ProgressPrinter = ProgressPrinter()) {
        self.options = options
        self.printer = printer
    }

    /// The checkout's root: the current folder when it holds data/sample, else the one this file was
    /// compiled in (so `swift run lntune quickstart` works from anywhere inside a checkout).
    public static var checkoutRoot: URL {
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if FileManager.default.fileExists(atPath: here.appendingPathComponent("data/sample/train.csv").path) {
            return here
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    public func run(stop: StopRequest = StopRequest()) throws -> Result {
        let root = Self.checkoutRoot
        let data = URL(fileURLWithPath: options.data ?? root.appendingPathComponent("data/sample").path)
        let model = options.model ?? root.appendingPathComponent("data/tiny-model").path
        let files = ["train", "dev", "test"].map { data.appendingPathComponent("\($0).csv") }
        let out = URL(fileURLWithPath: options.out)

        step(1, "data: \(data.path) (E2E format: meaning representation → sentence)")
        let test = try DatasetTask.e2e.load(files[2])
        let template = try DatasetTask.e2e.bundledTemplate()
        for (name, file) in zip(["train", "dev", "test"], files) {
            let loaded = name == "test" ? test : try DatasetTask.e2e.load(file)
            printer.line("  \(name): \(loaded.examples.count) MRs, \(loaded.referenceCount) references")
        }
        if let first = test.examples.first, let reference = first.references.first {
            printer.line(
                "  a training sequence (prompts/e2e.txt): \(template.text(source: first.source, target: reference).debugDescription)"
            )
        }

        step(2, "model: \(model)")
        let settings = TrainingSettings(
            model: model, task: "e2e", train: files[0].path, dev: files[1].path, method: .ln(LNTuningOptions()),
            epochs: options.epochs, learningRate: options.learningRate, batchSize: options.batchSize,
            out: out.appendingPathComponent("run").path)
        let trainer = try Trainer(settings: settings, overwrite: true)
        for warning in trainer.warnings { printer.line("  warning: \(warning)") }
        let config = trainer.tuner.model.config
        printer.line(
            "  GPT-2 architecture: \(config.nLayer) layers, n_embd \(config.nEmbd), \(config.nHead) heads,"
                + " \(config.nPositions) positions, vocabulary \(config.vocabSize)")

        step(3, "LN-Tuning: only the LayerNorm gains and biases train (\(out.appendingPathComponent("run").path))")
        let summary = try trainer.run(
            control: TrainingControl(stop: stop, evaluateAtStart: true), observer: printer.handle)
        printer.report(summary)
        guard summary.status != .interrupted else {
            return Result(training: summary, untuned: (.nan, .nan), tuned: (.nan, .nan))
        }
        let before = summary.initialDevLoss ?? .nan, after = summary.bestDevLoss ?? .nan
        printer.line(
            String(
                format: "  dev loss before tuning %.4f → after %.4f (%+.1f%%)", before, after,
                100 * (after - before) / before))

        let examples = Array(test.examples.prefix(options.testExamples ?? test.examples.count))
        step(4, "generate (greedy) for \(examples.count) test MRs, untuned and tuned")
        let base = ModelRequest(model: trainer.modelFolder.path, tokenizer: trainer.tokenizerFolder.path)
        var tunedRequest = base
        tunedRequest.adapter = RunFolder(settings.out).best.path
        let (untuned, tuned) = (try generate(examples, base), try generate(examples, tunedRequest))
        for k in 0..<min(3, examples.count) {
            printer.line("  MR:        \(examples[k].source)")
            printer.line("  untuned:   \(untuned[k])")
            printer.line("  tuned:     \(tuned[k])")
            printer.line("  reference: \(examples[k].references[0])")
        }
        try write(examples, untuned, to: out.appendingPathComponent("predictions_untuned.jsonl"))
        try write(examples, tuned, to: out.appendingPathComponent("predictions_tuned.jsonl"))

        step(5, "score against the test references (sacreBLEU BLEU, rouge-score ROUGE-L)")
        let references = examples.map(\.references)
        let scores = try [untuned, tuned].map { hypotheses in
            try Scorer.score(
                ScoringCorpus(hypotheses: hypotheses, references: references),
                options: ScoringOptions(metrics: [.bleu, .rouge]))
        }
        func pick(_ report: ScoreReport) -> (bleu: Double, rougeL: Double) {
            (
                report.metrics.first { $0.name == "BLEU" }?.score ?? .nan,
                report.metrics.first { $0.name == "rougeL" }?.score ?? .nan
            )
        }
        let (u, t) = (pick(scores[0]), pick(scores[1]))
        printer.line(String(format: "  untuned: BLEU %6.2f  ROUGE-L %.4f", u.bleu, u.rougeL))
        printer.line(String(format: "  tuned:   BLEU %6.2f  ROUGE-L %.4f", t.bleu, t.rougeL))
        printer.line(
            "  predictions: \(out.path)/predictions_{untuned,tuned}.jsonl; adapter: \(RunFolder(settings.out).best.path)"
        )
        var result = Result(training: summary, untuned: u, tuned: t)
        if !options.studyMethods.isEmpty {
            step(6, "compare methods: " + options.studyMethods.joined(separator: " vs ") + " (lntune study)")
            result.study = try study(model: model, files: files, stop: stop)
        }
        return result
    }

    func step(_ n: Int, _ text: String) {
        printer.line("\n[\(n)/\(options.studyMethods.isEmpty ? 5 : 6)] \(text)")
    }

    /// Greedy continuations of each example's prompt up to `<|endoftext|>`, decoded and trimmed, with the model
    /// `request` names (loaded here and released on return, so the untuned and tuned copies never coexist).
    private func generate(_ examples: [Example], _ request: ModelRequest) throws -> [String] {
        let loaded = try ModelLoader.load(request)
        for warning in loaded.warnings { printer.line("  warning: \(warning)") }
        let encoder = try SequenceEncoder(
            template: try DatasetTask.e2e.bundledTemplate(), encoder: loaded.tokenizer,
            maxLength: loaded.maxSequenceLength - options.maxNewTokens, overflow: .reject)
        let prompts = try examples.map { try encoder.encodePrompt($0).tokens.map(Int.init) }
        var parameters = GenerateParameters()
        parameters.maxNewTokens = options.maxNewTokens
        parameters.eosTokenId = loaded.endOfText
        var language = loaded.languageModel
        var texts: [String] = []
        for start in stride(from: 0, to: prompts.count, by: 16) {
            let chunk = Array(prompts[start..<min(start + 16, prompts.count)])
            for sequences in try Generation.generate(&language, prompts: chunk, parameters: parameters) {
                let text = try loaded.tokenizer.decode(sequences.first?.tokens ?? [])
                texts.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        return texts
    }

    /// One JSON object per line: id, source, prediction, references.
    private func write(_ examples: [Example], _ predictions: [String], to url: URL) throws {
        struct Line: Encodable { let id: String, source: String, prediction: String, references: [String] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for (example, prediction) in zip(examples, predictions) {
            data += try encoder.encode(
                Line(id: example.id, source: example.source, prediction: prediction, references: example.references))
            data += Data("\n".utf8)
        }
        try RunFolder.store(data, at: url)
    }
}
