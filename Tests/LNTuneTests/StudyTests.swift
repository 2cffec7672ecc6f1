import Foundation
import GPT2
import LNTune
import TestSupport
import Tuning
import Testing

/// A study on the fixture's short data: the dev file doubles as the test file (JSONL pairs have references).
private func studySettings(_ fixture: TrainingFixture, methods: [String], seeds: [UInt64] = [1], steps: Int = 2)
    -> StudySettings
{
    StudySettings(
        model: fixture.model.path, task: fixture.task, train: fixture.train.path, dev: fixture.dev.path,
        test: fixture.dev.path, methods: methods, seeds: seeds, maxSteps: steps, learningRates: ["*": 1e-2],
        batchSize: 4, testExamples: 3, maxNewTokens: 5, out: fixture.folder.url.appendingPathComponent("study").path)
}

/// The plan runs seed by seed; an ablation adds variants only to the methods that train LayerNorms
/// (`ln`, `prefix+ln`), each a valid method configuration with its own folder; every registered method
/// is accepted.
@Test func studyPlanExpandsMethodsAblationsAndSeeds() throws {
    let fixture = try TrainingFixture(.short(train: 4, dev: 2))
    var settings = studySettings(fixture, methods: ["ln", "prefix", "prefix+ln"], seeds: [1, 2])
    settings.ablation = .terms
    let plan = try StudyPlan(settings: settings)
    #expect(
        plan.configurations == [
            "ln", "ln [gain]", "ln [bias]", "prefix", "prefix+ln", "prefix+ln [gain]", "prefix+ln [bias]",
        ])
    #expect(plan.runs.count == 14)
    #expect(plan.runs.prefix(7).allSatisfy { $0.seed == 1 } && plan.runs.suffix(7).allSatisfy { $0.seed == 2 })
    #expect(plan.runs[1].folderName == "ln-gain-seed1")
    #expect(Set(plan.runs.map(\.folderName)).count == 14)
    #expect(plan.runs[1].training.method == .ln(LNTuningOptions(terms: [.gain])))

    settings.ablation = .layers
    #expect(try StudyPlan(settings: settings).configurations.contains("ln [layers 1-1]"))
    settings.ablation = .modules
    #expect(try StudyPlan(settings: settings).configurations.contains("prefix+ln [final]"))

    settings = studySettings(fixture, methods: TuningMethods.names)
    #expect(try StudyPlan(settings: settings).configurations == TuningMethods.names)
    settings.methods = ["ln", "lora-of-the-future"]
    #expect(throws: (any Error).self) { try StudyPlan(settings: settings) }
}

/// `--lr 5e-3` sets every method's rate, `--lr ln=1e-2,prefix=5e-3` each one's; others keep their default.
@Test func studyLearningRates() throws {
    #expect(try StudySettings.parseLearningRates("5e-3") == ["*": 5e-3])
    let rates = try StudySettings.parseLearningRates("ln=1e-2, prefix+ln=5e-3")
    #expect(rates == ["ln": 1e-2, "prefix+ln": 5e-3])
    #expect(throws: LNTuneError.self) { try StudySettings.parseLearningRates("ln:1e-2") }
}

/// Mean ± sample standard deviation over seeds.
@Test func seedStatistics() throws {
    let statistic = try #require(SeedStatistic([1, 2, 3]))
    #expect(statistic.mean == 2 && statistic.std == 1 && statistic.count == 3)
    #expect(SeedStatistic([4])?.std == 0)
    #expect(SeedStatistic([]) == nil)
}

/// A study end to end: every run trains, decodes the test file and scores it; results.md, .csv, .json and
/// report.html hold one row per configuration. Stopped during a run, it keeps the finished runs; run again,
/// it skips them, resumes the interrupted one, and ends with the same table as far as scores go. With other
/// settings in the same folder it refuses, unless told to overwrite.
@Test func studyRunsResumesAndTabulates() throws {
    let fixture = try TrainingFixture(.short(train: 12, dev: 4))
    let settings = studySettings(fixture, methods: ["ln", "bitfit"], seeds: [1, 2], steps: 3)
    let stop = StopRequest()
    var steps = 0
    let first = try Study(settings: settings).run(stop: stop) { event in
        if case .training(.step) = event {
            steps += 1
            if steps == 5 { stop.request("test") }  // during the second run (3 steps each)
        }
    }
    #expect(first.interrupted && first.results.count == 1)

    var skipped = 0
    var started = 0
    let outcome = try Study(settings: settings).run { event in
        if case .runSkipped = event { skipped += 1 }
        if case .runStarting = event { started += 1 }
    }
    #expect(!outcome.interrupted && skipped == 1 && started == 3)
    #expect(outcome.results.count == 4)
    for result in outcome.results {
        #expect(result.testExamples == 3)
        #expect(Set(result.testMetrics.keys) == ["bleu", "rouge1", "rouge2", "rougeL", "rougeLsum"])
        #expect(result.trainableParameters > 0 && result.devLoss?.isFinite == true)
        #expect(FileManager.default.fileExists(atPath: result.folder + "/test_predictions.jsonl"))
    }
    #expect(outcome.table.rows.map(\.first) == ["ln", "bitfit"])
    #expect(outcome.table.rows.allSatisfy { $0[3] == "2" && $0.last?.contains(" ± ") == true })
    let csv = try String(contentsOf: outcome.files.csv, encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 3 && csv[0].hasPrefix("configuration,method,variant,seeds,trainable_params"))
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: outcome.files.json)) as? [String: Any]
    #expect((json?["runs"] as? [Any])?.count == 4 && (json?["rows"] as? [Any])?.count == 2)
    let markdown = try String(contentsOf: outcome.files.markdown, encoding: .utf8)
    #expect(markdown.contains("| ln ") && markdown.contains("| bitfit "))
    let html = try String(contentsOf: outcome.files.report, encoding: .utf8)
    #expect(html.contains("Study results") && html.contains("ln-seed2") && !html.contains("<script"))

    let again = try Study(settings: settings).run()
    #expect(again.results == outcome.results)

    var changed = settings
    changed.maxSteps = 2
    #expect(throws: LNTuneError.self) { try Study(settings: changed).run() }
    let redone = try Study(settings: changed, overwrite: true).run()
    #expect(redone.results.allSatisfy { $0.training.maxSteps == 2 })
}
