import Foundation
import LNTune
import TestSupport
import Testing

/// `--eval-metrics bleu,rouge` decodes the dev sample at every evaluation and logs the scores under
/// transformers' names; `--metric-for-best-model bleu` makes best/ the evaluation with the highest BLEU
/// (the first of equal ones), and the summary says so.
@Test func devMetricsAreLoggedAndPickBest() throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 6))
    var settings = fixture.settings(out: "metrics", maxSteps: 6, evalEvery: 2)
    settings.devMetrics = DevMetricSettings(
        metrics: ["bleu", "rouge"], metricForBestModel: "eval_bleu", samples: 3, maxNewTokens: 6)
    var evaluations: [EvaluationReport] = []
    let summary = try Trainer(settings: settings).run(control: TrainingControl(evaluateAtStart: true)) { event in
        if case let .evaluation(report) = event { evaluations.append(report) }
    }
    let log = try String(contentsOf: RunFolder(settings.out).log, encoding: .utf8).split(separator: "\n").map {
        try JSONDecoder().decode(TrainingLogEntry.self, from: Data($0.utf8))
    }
    let evals = log.filter { $0.type == "eval" }
    try #require(evals.count == 4, "at start, after steps 2, 4 and 6")
    for entry in evals {
        #expect(Set(entry.metrics?.keys ?? [:].keys) == ["bleu", "rouge1", "rouge2", "rougeL", "rougeLsum"])
    }
    let trained = evals.dropFirst()
    let bleus = trained.map { $0.metrics?["bleu"] ?? .nan }
    let bestIndex = try #require(bleus.indices.first { bleus[$0] == bleus.max() })
    let best = trained[trained.startIndex + bestIndex]
    #expect(summary.bestMetricName == "bleu")
    #expect(summary.bestMetric == best.metrics?["bleu"])
    #expect(summary.bestStep == best.step)
    #expect(summary.bestDevLoss == best.devLoss)
    #expect(summary.lastMetrics == evals.last?.metrics)
    #expect(evaluations.map(\.metrics) == evals.map { $0.metrics ?? [:] })
    let record = try RunRecord.read(from: RunFolder(settings.out).runRecord)
    #expect(record.settings.devMetrics == settings.devMetrics)
}

/// The metric names `--metric-for-best-model` takes: loss, or a score the chosen metrics log (with or
/// without transformers' `eval_` prefix); anything else is refused naming the choices. TER is an error rate:
/// lower is better.
@Test func bestModelMetricChoices() throws {
    func metric(_ name: String?, _ metrics: [String] = ["bleu", "rouge", "ter"]) throws -> BestModelMetric? {
        try DevMetricSettings(metrics: metrics, metricForBestModel: name).bestModelMetric
    }
    #expect(try metric(nil) == nil)
    #expect(try metric("loss") == nil)
    #expect(try metric("eval_loss") == nil)
    #expect(try metric("rougeL")?.key == "rougeL")
    #expect(try metric("eval_bleu")?.greaterIsBetter == true)
    let ter = try #require(try metric("ter"))
    #expect(!ter.greaterIsBetter && ter.improves(30, on: 40) && !ter.improves(50, on: 40))
    #expect(!BestModelMetric(key: "bleu").improves(.nan, on: nil))
    #expect(throws: LNTuneError.self) { try metric("meteor") }
    #expect(throws: LNTuneError.self) { try metric("rougeL", ["bleu"]) }
    #expect(throws: LNTuneError.self) { try DevMetricSettings(metrics: ["bleurt"]).metricNames }
}

/// Dev metrics need a dev set, a positive sample and new-token count.
@Test func devMetricSettingsAreValidated() throws {
    let fixture = try TrainingFixture(.short(train: 4, dev: 2))
    var settings = fixture.settings(withDev: false)
    settings.devMetrics = DevMetricSettings(metrics: ["bleu"])
    #expect(throws: LNTuneError.self) { try settings.validate() }
    settings = fixture.settings()
    settings.devMetrics = DevMetricSettings(metrics: ["bleu"], samples: 0)
    #expect(throws: LNTuneError.self) { try settings.validate() }
    settings.devMetrics = DevMetricSettings(metrics: [])
    #expect(throws: LNTuneError.self) { try settings.validate() }
    settings.devMetrics = DevMetricSettings(metrics: ["bleu"], maxNewTokens: 0)
    #expect(throws: LNTuneError.self) { try settings.validate() }
}
