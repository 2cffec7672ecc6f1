import Foundation
import LNTune
import Testing
import TestSupport

/// The `lntune` executable built beside the test runner, or nil (the test is then skipped by its trait).
private func lntuneExecutable() -> URL? {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL,
    ].map { $0.appendingPathComponent("lntune") }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// Runs `lntune` with `arguments`; `whenOutput` is called with everything printed so far until it returns
/// true (e.g. to send a signal once a step has been printed). Returns the exit status and the output.
private func runLNTune(
    _ executable: URL, _ arguments: [String], whenOutput: ((String, Process) -> Bool)? = nil
) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let collected = LockedText()
    pipe.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
    try process.run()
    let deadline = Date().addingTimeInterval(600)
    var watching = whenOutput != nil
    while process.isRunning {
        if watching, let whenOutput, whenOutput(collected.text, process) { watching = false }
        if Date() > deadline {
            process.terminate()
            Issue.record("lntune did not finish within 10 minutes")
            break
        }
        Thread.sleep(forTimeInterval: 0.02)
    }
    process.waitUntilExit()
    pipe.fileHandleForReading.readabilityHandler = nil
    collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
    return (process.terminationStatus, collected.text)
}

private final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

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
    let settings = fixture.settings(out: "cli", epochs: 3)
    let command = [
        "train", "--model", fixture.model.path, "--task", "jsonl", "--train", fixture.train.path, "--dev",
        fixture.dev.path,
        "--epochs", "3", "--lr", "0.01", "--batch-size", "4", "--seed", "3", "--out", settings.out, "--log-every", "1",
    ]
    let interrupted = try runLNTune(executable, command) { output, process in
        guard output.contains("step 1/18") else { return false }
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
    #expect(stoppedAt >= 1 && stoppedAt < 18)

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
