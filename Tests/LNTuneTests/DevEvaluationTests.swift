import Datasets
import Foundation
import LNTune
import TestSupport
import Testing

/// A dev evaluation is no longer a silent black box: it reports each batch, the step ETA counts the
/// evaluations still due, and a stop request ends it within a batch; the cut-short evaluation is redone on
/// resume, which then ends exactly as an uninterrupted run.
@Test func devEvaluationReportsProgressAndStopsWithinABatch() throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 8))
    var settings = fixture.settings(out: "stopped", epochs: 2, evalEvery: 2)
    settings.batchSize = 2  // 4 dev batches per evaluation, 8 steps per epoch
    let stop = StopRequest()
    var progress: [(step: Int, batches: Int, total: Int)] = []
    var evaluations: [Int] = []
    var etaAfterFirstEvaluation: Double?
    // Batches 2–4 of the first evaluation, a lower bound of what the trainer measures for a whole one.
    var firstBatchDone: Date?, lastThreeBatches: Double?
    let summary = try Trainer(settings: settings).run(control: TrainingControl(stop: stop)) { event in
        switch event {
        case let .evaluating(p):
            progress.append((p.step, p.batches, p.totalBatches))
            if p.step == 2 && p.batches == 1 { firstBatchDone = Date() }
            if p.step == 2 && p.batches == 4 { lastThreeBatches = firstBatchDone.map { Date().timeIntervalSince($0) } }
            if p.step == 4 && p.batches == 2 { stop.request("test") }
        case let .evaluation(e):
            evaluations.append(e.step)
        case let .step(s) where s.step == 3:
            etaAfterFirstEvaluation = s.etaSeconds
        default: break
        }
    }
    #expect(summary.status == .interrupted && summary.completedSteps == 4)
    #expect(evaluations == [2])
    #expect(progress.map(\.batches) == [1, 2, 3, 4, 1, 2] && progress.allSatisfy { $0.total == 4 })
    // After the evaluation at step 2, 7 evaluations remain (steps 4, 6, …, 16): the ETA includes them.
    let eta = try #require(etaAfterFirstEvaluation), batches = try #require(lastThreeBatches)
    #expect(eta >= 7 * batches * 0.8, "ETA \(eta) s for 13 steps and 7 evaluations of over \(batches) s")

    #expect(try Trainer(settings: settings, resume: true).run().status == .completed)
    try expectSameResult(RunFolder(settings.out), as: try straightRun(fixture, settings))
}

/// `--max-dev-examples N` evaluates on the first N dev examples and says so.
@Test func maxDevExamplesLimitsTheDevSet() throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 8))
    var settings = fixture.settings(out: "limited", maxSteps: 1)
    settings.maxDevExamples = 3
    let trainer = try Trainer(settings: settings)
    #expect(trainer.overview.dev?.examples == 3 && trainer.overview.dev?.examplesInFile == 8)
    #expect(trainer.data.dev?.sequences.map(\.id) == ["dev-1#1", "dev-2#1", "dev-3#1"])
    _ = try trainer.run()
    settings.dev = nil
    #expect(throws: LNTuneError.self) { try settings.validate() }  // needs --dev
}

/// An example longer than the maximum length, in the dev file as in the train file, is an error naming its
/// file and line and the two ways out: `--max-length` and `--on-bad-row skip`.
@Test func aTooLongDevExampleNamesTheWayOut() throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let long = String(repeating: "very ", count: 300)
    try (String(contentsOf: fixture.dev, encoding: .utf8) + #"{"source": "Oak | Thai", "target": "\#(long)"}"# + "\n")
        .write(to: fixture.dev, atomically: true, encoding: .utf8)
    let message = thrownText { try Trainer(settings: fixture.settings(out: "long", maxSteps: 1)) }
    #expect(message.contains("\(fixture.dev.path):5") && message.contains("--on-bad-row skip"), "\(message)")
    var settings = fixture.settings(out: "long", maxSteps: 1, onBadRow: "skip")
    settings.maxLength = 100
    #expect(try Trainer(settings: settings).overview.dev?.skippedTooLong == 1)
}

/// A file of inputs only (E2E's testset.csv) cannot train: refused with the reason, instead of training on
/// nothing.
@Test func anInputsOnlyFileIsRefusedForTraining() throws {
    let fixture = try TrainingFixture(.sample(train: 4, dev: 4, extraTrainRows: []))
    let inputs = fixture.folder.url.appendingPathComponent("testset.csv")
    try Data("MR\r\n\"name[Alder], food[Thai]\"\r\n".utf8).write(to: inputs)
    var settings = fixture.settings(out: "inputs", maxSteps: 1)
    settings.train = inputs.path
    #expect(throws: LNTuneError.training(.noReferences(file: inputs.path, examples: 1, of: 1, first: "line 2"))) {
        try Trainer(settings: settings)
    }
}
