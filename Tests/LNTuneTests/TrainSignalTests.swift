import Foundation
import LNTune
import Testing
import TestSupport

/// A real Ctrl-C (SIGINT) or SIGTERM sent to a running `lntune train` makes it finish the step, write a
/// checkpoint and exit with status 128 + signal; the same command with `--resume` completes, and its final
/// and best adapters and log are byte-identical to those of an uninterrupted run with the same settings (run
/// through the library).
/// (`swift test` builds the executable with the tests; a test runner started on its own may lack it, and the
/// test is then reported as skipped with the reason.)
@Test(
    .enabled(
        if: lntuneExecutable() != nil,
        "no lntune executable beside the test runner (\(CommandLine.arguments[0])); run `swift build` first"),
    arguments: [SIGINT, SIGTERM])
func signalCheckpointsAndResumeMatchesAnUninterruptedRun(_ signal: Int32) throws {
    let executable = try #require(lntuneExecutable())
    let fixture = try TrainingFixture(.short(train: 24, dev: 8))
    // 20 epochs (120 steps) leave the signal time to arrive on a loaded machine before the run ends.
    let settings = fixture.settings(out: "cli", epochs: 20)
    let command = [
        "train", "--model", fixture.model.path, "--task", "jsonl", "--train", fixture.train.path, "--dev",
        fixture.dev.path,
        "--epochs", "20", "--lr", "0.01", "--batch-size", "4", "--seed", "3", "--out", settings.out, "--log-every", "1",
    ]
    let interrupted = try runLNTune(executable, command) { output, process in
        guard output.contains("step 1/120") else { return false }
        if signal == SIGINT { process.interrupt() } else { process.terminate() }  // SIGINT as Ctrl-C; SIGTERM
        return true
    }
    #expect(interrupted.status == 128 + signal, "\(interrupted.output)")
    #expect(interrupted.output.contains("interrupted after step"), "\(interrupted.output)")
    let folder = RunFolder(settings.out)
    #expect(FileManager.default.fileExists(atPath: folder.checkpoint.path))
    let record = try RunRecord.read(from: folder.runRecord)
    #expect(record.settings == settings)  // the CLI built exactly the library settings compared against below
    #expect(record.result?.status == .interrupted)
    let stoppedAt = try #require(record.result?.completedSteps)
    #expect(stoppedAt >= 1 && stoppedAt < 120)

    let resumed = try runLNTune(executable, command + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.output)")
    #expect(resumed.output.contains("resuming after step \(stoppedAt)"))

    var straightSettings = settings
    straightSettings.out = fixture.folder.url.appendingPathComponent("straight").path
    _ = try Trainer(settings: straightSettings).run()
    let straight = RunFolder(straightSettings.out)
    #expect(try TrainingFixture.files(in: folder.final.path) == TrainingFixture.files(in: straight.final.path))
    #expect(try TrainingFixture.files(in: folder.best.path) == TrainingFixture.files(in: straight.best.path))
    #expect(try Data(contentsOf: folder.log) == Data(contentsOf: straight.log))
}
