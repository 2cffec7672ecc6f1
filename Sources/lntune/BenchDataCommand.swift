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

    static let maxLengthBound = NumericBound("--max-length", 1...100_000)

    @Option(parsing: .unconditional, help: SharedBounds.batchSize.help("Sequences per batch."))
    var batchSize: Int = 8

    @Option(
        parsing: .unconditional,
        help: maxLengthBound.help("Maximum sequence length in tokens (bytes with the byte encoder)."))
    var maxLength: Int = 1024

    @Option(
        parsing: .unconditional,
        help: SharedBounds.repeats.help("Repetitions; the best time of each stage is reported."))
    var repeats: Int = 3

    func validate() throws {
        try SharedBounds.batchSize.check(batchSize)
        try Self.maxLengthBound.check(maxLength)
        try SharedBounds.repeats.check(repeats)
        try PathFlags.refuseEmpty([("--file", file)])
    }

    func run() throws {
        print(CPUInfo.current().header(json: false))
        let result = try DataBenchmark.run(
            task: try DatasetTask(name: task), file: URL(fileURLWithPath: file), batchSize: batchSize,
            maxLength: maxLength, repeats: repeats)
        print(result.text)
    }
}
