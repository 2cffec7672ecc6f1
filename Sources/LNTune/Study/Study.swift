import Foundation
import ResourceUsage

/// What a study reports while it runs, in order, for a progress display.
public enum StudyEvent: Sendable {
    case planned(runs: Int, configurations: [String])
    /// A run begins; `remainingSeconds` estimates the rest of the study from the runs done so far.
    case runStarting(index: Int, total: Int, run: StudyRunPlan, remainingSeconds: Double?)
    /// A run whose result is already on disk (an earlier invocation finished it).
    case runSkipped(index: Int, total: Int, run: StudyRunPlan)
    case training(TrainingEvent)
    case trained(TrainingSummary)
    case testing(run: StudyRunPlan, adapter: String)
    case runFinished(index: Int, total: Int, result: StudyRunResult, seconds: Double)
}

/// What `Study.run` leaves: the results so far (all of them unless interrupted) and the files written.
public struct StudyOutcome: Sendable {
    public var results: [StudyRunResult]
    public var interrupted: Bool
    public var table: ReportTable
    public var files: StudyFiles
}

/// `lntune study`: trains every configuration of a `StudyPlan` in turn through `Trainer`, decodes the test set
/// with each adapter, scores it, and writes the comparison (`StudyFiles`). Resumable: a run with a
/// `study_result.json` is skipped, an interrupted one resumes from its checkpoint, a finished training whose
/// test step did not happen is reused.
public final class Study {
    public let plan: StudyPlan
    /// Redo runs whose recorded settings differ from the plan's (otherwise that is an error).
    public let overwrite: Bool

    public init(settings: StudySettings, overwrite: Bool = false) throws {
        plan = try StudyPlan(settings: settings)
        self.overwrite = overwrite
    }

    public func run(stop: StopRequest = StopRequest(), observer: (StudyEvent) -> Void = { _ in }) throws -> StudyOutcome
    {
        observer(.planned(runs: plan.runs.count, configurations: plan.configurations))
        let test = StudyTestSettings(plan.settings)
        var results: [StudyRunResult] = []
        var spent: [Double] = []
        var interrupted = false
        for (index, run) in plan.runs.enumerated() {
            if stop.isRequested {
                interrupted = true
                break
            }
            let folder = RunFolder(run.training.out)
            let resultFile = folder.url.appendingPathComponent(StudyRunResult.fileName)
            if FileManager.default.fileExists(atPath: resultFile.path) {
                let done = try StudyRunResult.read(from: resultFile)
                if Self.sameRun(done.training, run.training) && done.test == test {
                    results.append(done)
                    observer(.runSkipped(index: index, total: plan.runs.count, run: run))
                    continue
                }
                try refuseUnlessOverwriting(folder, "its study_result.json was made with other settings")
            }
            let remaining =
                spent.isEmpty ? nil : spent.reduce(0, +) / Double(spent.count) * Double(plan.runs.count - index)
            observer(.runStarting(index: index, total: plan.runs.count, run: run, remainingSeconds: remaining))
            let stopwatch = Stopwatch()
            guard let result = try execute(run, test: test, stop: stop, observer: observer) else {
                interrupted = true
                break
            }
            try result.write(to: resultFile)
            spent.append(stopwatch.wallSeconds)
            results.append(result)
            observer(.runFinished(index: index, total: plan.runs.count, result: result, seconds: stopwatch.wallSeconds))
        }
        let files = StudyFiles(out: URL(fileURLWithPath: plan.settings.out, isDirectory: true))
        let table = try files.write(plan: plan, results: results)
        return StudyOutcome(results: results, interrupted: interrupted, table: table, files: files)
    }

    /// Trains (or resumes, or reuses) one run and scores it on the test set; nil when a stop request
    /// interrupted the training (its checkpoint is written).
    private func execute(
        _ run: StudyRunPlan, test: StudyTestSettings, stop: StopRequest, observer: (StudyEvent) -> Void
    )
        throws -> StudyRunResult?
    {
        let folder = RunFolder(run.training.out)
        let recorded = try? RunRecord.read(from: folder.runRecord)
        if let recorded, !Self.sameRun(recorded.settings, run.training) {
            try refuseUnlessOverwriting(folder, "its run.json was made with other settings")
        }
        let matches = recorded.map { Self.sameRun($0.settings, run.training) } ?? false
        var summary: TrainingSummary
        var record: RunRecord
        var peak: Double?
        if matches, let recorded, let done = recorded.result, done.status == .completed || done.status == .stoppedEarly
        {
            (summary, record) = (done, recorded)
        } else {
            let resume = matches && FileManager.default.fileExists(atPath: folder.checkpoint.path)
            let window = PeakMemoryWindow()
            let trainer = try Trainer(settings: run.training, resume: resume, overwrite: !resume)
            summary = try trainer.run(control: TrainingControl(stop: stop)) { observer(.training($0)) }
            guard summary.status != .interrupted else { return nil }
            peak = window.peakMiB
            record = try RunRecord.read(from: folder.runRecord)
            observer(.trained(summary))
        }
        let adapter = FileManager.default.fileExists(atPath: folder.best.path) ? folder.best : folder.final
        observer(.testing(run: run, adapter: adapter.path))
        let stopwatch = Stopwatch()
        let (scores, examples) = try StudyTestRun.evaluate(
            adapter: adapter, training: run.training, test: test,
            predictions: folder.url.appendingPathComponent("test_predictions.jsonl"))
        return StudyRunResult(
            configuration: run.configuration, method: run.method, variant: run.variant, seed: run.seed,
            folder: folder.url.path, training: run.training, test: test,
            trainableParameters: record.resolved.trainableParameters, allParameters: record.resolved.allParameters,
            trainSeconds: summary.times.total, tokensPerSecond: summary.tokensPerSecond, peakMemoryMiB: peak,
            devLoss: summary.bestDevLoss ?? summary.lastDevLoss, devMetrics: summary.lastMetrics,
            adapter: adapter.path, testExamples: examples, generationSeconds: stopwatch.wallSeconds,
            testMetrics: scores)
    }

    private func refuseUnlessOverwriting(_ folder: RunFolder, _ reason: String) throws {
        guard overwrite else {
            throw LNTuneError.training(
                .invalidSetting(
                    name: "out", value: folder.url.path,
                    hint: "\(reason); pass --overwrite to redo such runs, or choose another --out"))
        }
        try? FileManager.default.removeItem(at: folder.url.appendingPathComponent(StudyRunResult.fileName))
    }

    /// The same run: equal settings, wherever the study folder was named from (`out` is left out).
    static func sameRun(_ a: TrainingSettings, _ b: TrainingSettings) -> Bool {
        var (x, y) = (a, b)
        (x.out, y.out) = ("", "")
        return x == y
    }
}
