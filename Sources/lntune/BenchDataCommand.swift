import ArgumentParser
import Datasets
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

    @Option(help: "Repetitions; the best time of each stage is reported.")
    var repeats: Int = 3

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("no such file: \(file)") }
    }

    func run() throws {
        let task = try DatasetTask(name: task)
        let url = URL(fileURLWithPath: file)
        let encoder = try SequenceEncoder(
            template: task.bundledTemplate(), encoder: ByteTokenEncoder(), maxLength: maxLength,
            overflow: task.overflowPolicy)
        var best = [Double](repeating: .infinity, count: 3)
        var summary = ""
        for _ in 0..<repeats {
            var clock = ContinuousClock.now
            func lap(_ stage: Int) {
                let now = ContinuousClock.now
                let d = (now - clock).components
                best[stage] = min(best[stage], Double(d.seconds) + Double(d.attoseconds) * 1e-18)
                clock = now
            }
            let data = try task.load(url, onBadRow: .skip)
            let pairs = data.trainingPairs()
            lap(0)
            let encoded = try encoder.encodeAll(pairs, onBadRow: .skip)
            lap(1)
            let batcher = try Batcher(sequences: encoded.sequences, batchSize: batchSize, seed: 1)
            var tokens = 0
            for (_, batch) in batcher.batches(from: BatchCursor(), epochs: 1) { tokens += batch.tokens.count }
            lap(2)
            summary =
                "\(data.examples.count) examples, \(pairs.count) pairs, \(encoded.sequences.count) sequences "
                + "(\(data.skipped.count + encoded.skipped.count) skipped, \(encoded.truncatedCount) truncated), "
                + "\(batcher.batchesPerEpoch) batches, \(tokens) padded tokens"
        }
        print("\(task.rawValue) \(url.lastPathComponent): \(summary)")
        for (name, seconds) in zip(["load", "encode (bytes)", "batch one epoch"], best) {
            print(
                "  " + name.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "%9.1f ms", seconds * 1000))
        }
    }
}
