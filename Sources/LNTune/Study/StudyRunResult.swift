import Datasets
import Decoding
import Foundation
import Metrics

/// How a study scores each run on the test set; recorded with every result so a rerun with other test
/// settings is noticed.
public struct StudyTestSettings: Codable, Equatable, Sendable {
    public var file: String
    public var examples: Int?
    public var preset: String
    public var maxNewTokens: Int
    public var metrics: [String]

    init(_ settings: StudySettings) {
        (file, examples, preset) = (settings.test, settings.testExamples, settings.preset)
        (maxNewTokens, metrics) = (settings.maxNewTokens, settings.testMetrics)
    }
}

/// One finished run of a study, `runs/NAME/study_result.json`: what it cost and how it scored. Written last,
/// so its presence marks the run as done (a rerun of the study skips it).
public struct StudyRunResult: Codable, Equatable, Sendable {
    public var configuration: String
    public var method: String
    public var variant: String?
    public var seed: UInt64
    public var folder: String
    public var training: TrainingSettings
    public var test: StudyTestSettings
    public var trainableParameters: Int
    public var allParameters: Int
    /// Wall seconds of the training session (loading, steps, evaluations, saving).
    public var trainSeconds: Double
    public var tokensPerSecond: Double
    /// Peak resident memory while training (nil when the training was reused from an earlier study run).
    public var peakMemoryMiB: Double?
    /// The dev loss of the evaluated adapter (best/), and the last `--eval-metrics` scores.
    public var devLoss: Double?
    public var devMetrics: [String: Double]?
    /// The adapter the test set was decoded with (best/ with a dev set, else final/).
    public var adapter: String
    public var testExamples: Int
    public var generationSeconds: Double
    /// Test scores by key (`bleu`, `rougeL`, …), each on its tool's scale.
    public var testMetrics: [String: Double]

    public var trainablePercent: Double {
        allParameters > 0 ? 100 * Double(trainableParameters) / Double(allParameters) : 0
    }

    static let fileName = "study_result.json"

    static func read(from url: URL) throws -> StudyRunResult {
        do {
            return try RunRecord.decoder.decode(StudyRunResult.self, from: Data(contentsOf: url))
        } catch {
            throw LNTuneError.io(path: url.path, reason: "not a readable study result (\(error))")
        }
    }

    func write(to url: URL) throws {
        do {
            try RunFolder.store(try RunRecord.encoder.encode(self) + Data("\n".utf8), at: url)
        } catch let error as LNTuneError {
            throw error
        } catch {
            throw LNTuneError.io(path: url.path, reason: "cannot encode the study result (\(error))")
        }
    }
}

/// Decoding a test file with a run's adapter and scoring it, as `lntune generate` and `lntune score` would.
enum StudyTestRun {
    /// Writes `predictions` (JSONL) and returns the scores by key and the number of examples.
    static func evaluate(adapter: URL, training: TrainingSettings, test: StudyTestSettings, predictions: URL) throws
        -> (scores: [String: Double], examples: Int)
    {
        guard case let .dataset(task) = try training.trainingTask else {
            throw LNTuneError.training(.invalidSetting(name: "task", value: training.task, hint: "a dataset task"))
        }
        let generator = try Generator(
            ModelRequest(model: training.model, tokenizer: training.tokenizer, adapter: adapter.path))
        let all = try task.load(URL(fileURLWithPath: test.file)).examples
        let examples = Array(all.prefix(test.examples ?? all.count))
        guard !examples.isEmpty else { throw LNTuneError.generation(.noExamples(file: test.file)) }
        let template =
            try training.promptTemplate.map { try PromptTemplate(contentsOf: URL(fileURLWithPath: $0)) }
            ?? task.bundledTemplate()
        var choice = DecodingChoice()
        choice.preset = test.preset
        choice.maxNewTokens = test.maxNewTokens
        let run = try DatasetGeneration(
            generator: generator, parameters: try generator.parameters(choice), batchSize: training.batchSize)
        let records = try run.run(
            examples: examples,
            prompts: try run.prompts(for: examples, template: template, overflow: task.overflowPolicy))
        try PredictionFiles.write(try PredictionFiles.jsonLines(records), to: predictions.path)
        let report = try Scorer.score(
            try ScoringCorpus(hypotheses: records.map(\.prediction), references: records.map(\.references)),
            options: ScoringOptions(metrics: try MetricName.parseList(test.metrics.joined(separator: ","))))
        var scores: [String: Double] = [:]
        for metric in report.metrics { scores[DevMetricSettings.key(ofScore: metric.name)] = metric.score }
        return (scores, records.count)
    }
}
