import ArgumentParser
import Benchmarks
import Foundation
import LNTune

/// `lntune bench data`: how long loading, encoding and batching a dataset take, so a training report can
/// show that data time is negligible next to the model.
struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Time loading, encoding (byte encoder) and batching one epoch of a dataset file.")

    @Option(help: "Task: \(DatasetTask.allCases.map(\.rawValue).joined(separator: ", ")).")
    var task: String = "e2e"

    @Option(help: "Data file (or WebNLG folder).")
    var file: String

    @Option(help: "Sequences per batch.")
    var batchSize: Int = 8

    @Option(help: "Maximum sequence length in tokens (bytes with the byte encoder).")
    var maxLength: Int = 1024

    @OptionGroup var timing: BenchRunOptions

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard maxLength >= 1 else { throw ValidationError("--max-length must be at least 1") }
        guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("no such file: \(file)") }
    }

    func run() throws {
        print(CPUInfo.current().header(json: false))
        let result = try DataBenchmark.run(
            task: try DatasetTask(name: task), file: URL(fileURLWithPath: file), batchSize: batchSize,
            maxLength: maxLength, repeats: timing.repeats)
        print(result.text)
    }
}
