import Datasets
import Decoding
import Foundation
import GPT2
import Metrics
import Tokenizers
import Tuning

/// `--eval-metrics` at work: greedy decoding of the dev sample with the tuner's current values (its model and
/// prefix, no copy), scored against each example's references. The prompts are encoded once, when the run
/// starts; each evaluation only decodes and scores.
struct DevMetricEvaluator {
    let examples: [Example]
    let prompts: [[Int]]
    let tokenizer: GPT2Tokenizer
    let parameters: GenerateParameters
    let metrics: [MetricName]
    let batchSize: Int

    /// The first `settings.devMetrics.samples` examples of the dev file, as prompts that leave room for
    /// `maxNewTokens` after the prefix (`tokenizerFolder`: the folder or `.tiktoken` file the trainer loaded).
    /// Nil when the run has no dev set or no `--eval-metrics`.
    init?(settings: TrainingSettings, template: PromptTemplate, tokenizerFolder: URL, config: GPT2Config) throws {
        guard let dev = settings.dev, let options = settings.devMetrics else { return nil }
        let task = try settings.trainingTask
        let loaded = try task.load(URL(fileURLWithPath: dev), onBadRow: try settings.badRowPolicy)
        examples = Array(loaded.examples.prefix(options.samples))
        tokenizer = try ModelLoader.loadTokenizer(tokenizerFolder)
        let positions = config.nPositions - (settings.method.method.prefix?.virtualTokens ?? 0)
        guard positions - options.maxNewTokens >= 1 else {
            throw LNTuneError.training(
                .invalidSetting(
                    name: "eval-max-new-tokens", value: String(options.maxNewTokens),
                    hint: "leaves no room for a prompt in the model's \(positions) positions"))
        }
        let encoder = try SequenceEncoder(
            template: template, encoder: tokenizer, maxLength: positions, overflow: task.overflowPolicy)
        prompts = try examples.map {
            try encoder.encodePrompt($0, budget: positions - options.maxNewTokens).tokens.map(Int.init)
        }
        var parameters = GenerateParameters()
        parameters.maxNewTokens = options.maxNewTokens
        parameters.eosTokenId = tokenizer.endOfTextID
        self.parameters = parameters
        metrics = try options.metricNames
        batchSize = settings.batchSize
    }

    /// Scores by log key (`bleu`, `rougeL`, …) of the model as it is now.
    func scores(_ tuner: Tuner) throws -> [String: Double] {
        var model = GPT2LanguageModel(model: tuner.model, prefix: tuner.prefixSlots())
        var outputs = [String](repeating: "", count: prompts.count)
        for batch in DatasetGeneration.lengthBatches(prompts.map(\.count), size: batchSize) {
            let results = try Generation.generate(&model, prompts: batch.map { prompts[$0] }, parameters: parameters)
            for (row, index) in batch.enumerated() {
                outputs[index] = PredictionText.prediction(try tokenizer.decode(results[row].first?.tokens ?? []))
            }
        }
        let report = try Scorer.score(
            try ScoringCorpus(hypotheses: outputs, references: examples.map(\.references)),
            options: ScoringOptions(metrics: metrics))
        var scores: [String: Double] = [:]
        for metric in report.metrics { scores[DevMetricSettings.key(ofScore: metric.name)] = metric.score }
        return scores
    }
}
