import Foundation
import Testing

/// The `lntune` executable built beside the test runner, or nil (the test is then skipped by its trait).
func lntuneExecutable() -> URL? {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL,
    ].map { $0.appendingPathComponent("lntune") }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// The trait of tests that run the `lntune` executable: skipped, with the reason, when it is not built.
let needsLNTune = ConditionTrait.enabled(
    if: lntuneExecutable() != nil,
    "no lntune executable beside the test runner (\(CommandLine.arguments[0])); run `swift build` first")

/// Runs `lntune` with `arguments`, and `environment` added to this process's; `whenOutput` is called with
/// everything printed so far until it returns true (e.g. to send a signal once a step has been printed).
/// Returns the exit status and the output.
func runLNTune(
    _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
    whenOutput: ((String, Process) -> Bool)? = nil
) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
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

/// Runs a system tool with its output discarded; whether it ran and exited 0.
func runQuietly(_ tool: String, _ arguments: [String]) -> Bool {
    guard FileManager.default.isExecutableFile(atPath: tool) else { return false }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}
