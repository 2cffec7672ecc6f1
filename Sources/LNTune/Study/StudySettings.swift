import Foundation
import Metrics
import Tuning

/// The LN-Tuning paper's ablations of `lntune study --ablation`: each method that trains LayerNorms is also
/// run with part of them — one term, one module, or half of the layers — beside the whole.
public enum StudyAblation: String, Codable, CaseIterable, Sendable {
    /// γ only, β only (`--ln-terms`).
    case terms
    /// `ln_1` only, `ln_2` only, `ln_f` only (`--ln-modules`).
    case modules
    /// The lower half of the blocks, the upper half (`--ln-layers`).
    case layers

    /// The variants as (label, method options) for a model of `layers` blocks.
    func variants(layers: Int) -> [(label: String, arguments: [String])] {
        switch self {
        case .terms: return LNTerm.allCases.sorted().reversed().map { ($0.rawValue, ["--ln-terms", $0.rawValue]) }
        case .modules: return LNModule.allCases.map { ($0.rawValue, ["--ln-modules", $0.rawValue]) }
        case .layers:
            let half = max(layers / 2, 1)
            guard layers >= 2 else { return [] }
            return [
                ("layers 0-\(half - 1)", ["--ln-layers", "0-\(half - 1)"]),
                ("layers \(half)-\(layers - 1)", ["--ln-layers", "\(half)-\(layers - 1)"]),
            ]
        }
    }
}

/// Everything `lntune study` was told: which methods (and ablations) to compare, on which data, over which
/// seeds, with which training and decoding settings. Recorded in `results.json`.
public struct StudySettings: Codable, Equatable, Sendable {
    public var model: String
    public var tokenizer: String?
    public var task: String
    public var train: String
    public var dev: String?
    /// Generated for and scored after each run (needs references).
    public var test: String
    /// `--method` names, each as `TuningMethods` registers it.
    public var methods: [String]
    public var ablation: StudyAblation?
    public var seeds: [UInt64]
    public var epochs: Int
    public var maxSteps: Int?
    /// Peak learning rate by method name; `*` for every method; missing = the method's default.
    public var learningRates: [String: Double]
    public var batchSize: Int
    public var evalEvery: Int?
    /// `--eval-metrics` during training (dev sample), or nil.
    public var devMetrics: DevMetricSettings?
    /// Metrics on the test outputs (`lntune score` names).
    public var testMetrics: [String]
    /// Generate for the first N test examples only (nil = all).
    public var testExamples: Int?
    /// Decoding: a `lntune generate` preset and the new-token limit.
    public var preset: String
    public var maxNewTokens: Int
    public var out: String

    public init(
        model: String, tokenizer: String? = nil, task: String, train: String, dev: String? = nil, test: String,
        methods: [String] = TuningMethods.names, ablation: StudyAblation? = nil, seeds: [UInt64] = [1],
        epochs: Int = 1, maxSteps: Int? = nil, learningRates: [String: Double] = [:], batchSize: Int = 8,
        evalEvery: Int? = nil, devMetrics: DevMetricSettings? = nil, testMetrics: [String] = ["bleu", "rouge"],
        testExamples: Int? = nil, preset: String = "greedy", maxNewTokens: Int = 64, out: String
    ) {
        (self.model, self.tokenizer, self.task, self.train, self.dev, self.test) = (
            model, tokenizer, task, train, dev, test
        )
        (self.methods, self.ablation, self.seeds, self.epochs, self.maxSteps) = (
            methods, ablation, seeds, epochs, maxSteps
        )
        (self.learningRates, self.batchSize, self.evalEvery, self.devMetrics) = (
            learningRates, batchSize, evalEvery, devMetrics
        )
        (self.testMetrics, self.testExamples, self.preset, self.maxNewTokens) = (
            testMetrics, testExamples, preset, maxNewTokens
        )
        self.out = out
    }

    /// The peak learning rate of `method` (nil = its default).
    public func learningRate(for method: String) -> Double? { learningRates[method] ?? learningRates["*"] }

    /// Parses `--lr`: one rate for every method (`5e-3`), or per method (`ln=1e-2,prefix=5e-3`).
    public static func parseLearningRates(_ text: String) throws -> [String: Double] {
        if let rate = Double(text) { return ["*": rate] }
        var rates: [String: Double] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let rate = Double(pair[1]) else {
                throw LNTuneError.training(
                    .invalidSetting(
                        name: "lr", value: String(part), hint: "expected RATE or METHOD=RATE,… (ln=1e-2,prefix=5e-3)"))
            }
            rates[pair[0]] = rate
        }
        return rates
    }

    func validate() throws {
        func fail(_ name: String, _ value: String, _ hint: String) -> LNTuneError {
            .training(.invalidSetting(name: name, value: value, hint: hint))
        }
        guard !methods.isEmpty else {
            throw fail("methods", "", "name at least one of " + TuningMethods.names.joined(separator: ", "))
        }
        for method in methods { _ = try TuningMethods.configuration(named: method) }
        for name in learningRates.keys where name != "*" && !methods.contains(name) {
            throw fail("lr", name, "not one of the study's methods (\(methods.joined(separator: ", ")))")
        }
        guard !seeds.isEmpty, Set(seeds).count == seeds.count else {
            throw fail("seeds", "\(seeds)", "give distinct seeds")
        }
        guard (testExamples ?? 1) >= 1 else {
            throw fail("test-examples", "\(testExamples ?? 0)", "must be at least 1")
        }
        guard maxNewTokens >= 1 else { throw fail("max-new-tokens", "\(maxNewTokens)", "must be at least 1") }
        _ = try GenerationPreset.named(preset)
        do { _ = try MetricName.parseList(testMetrics.joined(separator: ",")) } catch {
            throw fail("metrics", testMetrics.joined(separator: ","), "\(error)")
        }
        guard case .dataset = try TrainingTask(name: task) else {
            throw fail("task", task, "a study scores test references: choose a dataset task")
        }
    }
}
