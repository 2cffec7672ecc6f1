import Foundation
import LNTune
import TestSupport
import Testing
import Tuning

/// A straight run of `settings` into `out` (a name in the fixture folder), for comparisons.
func straightRun(_ fixture: TrainingFixture, _ settings: TrainingSettings, out: String = "straight") throws
    -> RunFolder
{
    var straight = settings
    straight.out = fixture.folder.url.appendingPathComponent(out).path
    #expect(try Trainer(settings: straight).run().status == .completed)
    return RunFolder(straight.out)
}

/// final/, best/ and the log of `run` are byte for byte those of `straight`.
func expectSameResult(_ run: RunFolder, as straight: RunFolder) throws {
    for (want, got) in [(straight.final, run.final), (straight.best, run.best)] {
        #expect(
            try TrainingFixture.files(in: got.path) == TrainingFixture.files(in: want.path),
            "\(got.lastPathComponent)/ differs from the uninterrupted run's")
    }
    #expect(try Data(contentsOf: run.log) == Data(contentsOf: straight.log))
}

/// The `runFailed` error `body` throws (its step and recovery text), or nil after recording an issue.
private func runFailure(_ body: () throws -> Void) -> (step: Int, error: String, recovery: String)? {
    do {
        try body()
        Issue.record("the run did not fail")
    } catch let LNTuneError.training(.runFailed(step, error, recovery)) {
        return (step, error, recovery)
    } catch {
        Issue.record("expected runFailed, got \(error)")
    }
    return nil
}

/// When final/ cannot be written at the end of a run (here a file is in its way; a full disk is the usual
/// cause), the trained state is saved as a checkpoint and the error says so; `--resume` then writes final/
/// byte-identical to an uninterrupted run's. Before, the whole run was lost.
@Test func aFailedFinalSaveKeepsTheRunResumable() throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 4))
    let settings = fixture.settings(out: "blocked", epochs: 2)
    let folder = RunFolder(settings.out)
    try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
    try Data("in the way".utf8).write(to: folder.final)

    let failure = runFailure { _ = try Trainer(settings: settings, overwrite: true).run() }
    #expect(failure?.step == 8)
    #expect(failure?.error.contains(folder.final.path) == true)
    #expect(failure?.recovery.contains("saved in \(folder.checkpoint.path)") == true)
    #expect(failure?.recovery.contains("--resume") == true)
    let record = try RunRecord.read(from: folder.runRecord)
    #expect(record.result?.status == .failed && record.result?.error?.contains("final") == true)

    try FileManager.default.removeItem(at: folder.final)
    #expect(try Trainer(settings: settings, resume: true).run().status == .completed)
    try expectSameResult(folder, as: try straightRun(fixture, settings))
    #expect(!FileManager.default.fileExists(atPath: folder.checkpoint.path))
}

/// When best/ cannot be written at an evaluation, the evaluation does not count: the checkpoint records it as
/// pending and `--resume` redoes it first, so best/, final/ and the log equal an uninterrupted run's.
@Test func aFailedBestSaveIsRedoneOnResume() throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 4))
    let settings = fixture.settings(out: "blocked", epochs: 2, evalEvery: 3)
    let folder = RunFolder(settings.out)
    try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
    try Data("in the way".utf8).write(to: folder.best)

    let failure = runFailure { _ = try Trainer(settings: settings, overwrite: true).run() }
    #expect(failure?.step == 3)  // the first evaluation (--eval-every 3) writes best/ first
    #expect(failure?.recovery.contains("--resume") == true)
    let log = try String(contentsOf: folder.log, encoding: .utf8)
    #expect(!log.contains("\"eval\""), "the failed evaluation left a log line")

    try FileManager.default.removeItem(at: folder.best)
    #expect(try Trainer(settings: settings, resume: true).run().status == .completed)
    try expectSameResult(folder, as: try straightRun(fixture, settings))
}

/// A diverging run (learning rate 1e30) stops at the step whose loss is not finite, naming it; it writes no
/// adapter, leaves the last checkpoint it wrote (--save-every) as it was, and records `diverged` in run.json;
/// a later `--resume` or new run gets advice that fits.
@Test func divergenceStopsTheRunAndKeepsWhatWasGood() throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 4))
    var settings = fixture.settings(out: "diverged", epochs: 3, learningRate: 1e30)
    settings.saveEvery = 1
    settings.dev = nil
    let folder = RunFolder(settings.out)
    var lastCheckpoint = Data()
    do {
        _ = try Trainer(settings: settings).run { event in
            if case .checkpoint = event { lastCheckpoint = (try? Data(contentsOf: folder.checkpoint)) ?? Data() }
        }
        Issue.record("a run at lr 1e30 completed")
    } catch let LNTuneError.training(.diverged(step, quantity, value, kept, hint)) {
        #expect(step >= 2 && !value.isFinite && ["loss", "gradient norm"].contains(quantity))
        #expect(kept.contains("checkpoint after step \(step - 1) is kept"))
        #expect(hint.contains("--lr") && hint.contains("1e+30"))
    }
    #expect(!FileManager.default.fileExists(atPath: folder.final.path))
    let kept = try Data(contentsOf: folder.checkpoint)
    #expect(!lastCheckpoint.isEmpty && kept == lastCheckpoint)
    let checkpoint = try TrainingCheckpoint.read(from: folder.checkpoint)
    #expect(checkpoint.state.completedSteps >= 1)
    let record = try RunRecord.read(from: folder.runRecord)
    #expect(record.result?.status == .diverged && record.result?.error?.contains("diverged at step") == true)
    #expect {
        try Trainer(settings: settings)
    } throws: { error in
        // There is a checkpoint, so --resume is offered.
        "\(error)".contains("pass --resume")
    }
}
