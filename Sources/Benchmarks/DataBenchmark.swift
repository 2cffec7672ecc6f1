import Datasets
import Foundation
import LNTune
import ResourceUsage

/// How long loading, encoding and batching a dataset take, so a training report can show that data time is
/// negligible next to the model. Encoding uses the byte encoder (one token per UTF-8 byte): no tokenizer files
/// needed, and the same work per character as a real vocabulary's lookups.
public enum DataBenchmark {
    public struct Result: Sendable {
        public var task: DatasetTask
        public var file: URL
        /// Counts of the last run: examples, pairs, sequences, skipped and truncated rows, batches, padded tokens.
        public var summary: String
        /// Best seconds of each stage over the runs, in `stages` order.
        public var bestSeconds: [Double]

        public static let stages = ["load", "encode (bytes)", "batch one epoch"]

        public var text: String {
            var lines = ["\(task.rawValue) \(file.lastPathComponent): \(summary)"]
            for (name, seconds) in zip(Self.stages, bestSeconds) {
                lines.append(
                    "  " + name.padding(toLength: 16, withPad: " ", startingAt: 0)
                        + String(format: "%9.1f ms", seconds * 1000))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Loads `file` as `task` (bad rows skipped), encodes its training pairs and batches one epoch, `repeats` times.
    public static func run(
        task: DatasetTask, file: URL, batchSize: Int = 8, maxLength: Int = 1024, repeats: Int = 3
    ) throws -> Result {
        try BenchmarkError.require("--batch-size", batchSize, atLeast: 1)
        try BenchmarkError.require("--max-length", maxLength, atLeast: 1)
        let encoder = try SequenceEncoder(
            template: task.bundledTemplate(), encoder: ByteTokenEncoder(), maxLength: maxLength,
            overflow: task.overflowPolicy)
        var best = [Double](repeating: .infinity, count: Result.stages.count)
        var summary = ""
        for _ in 0..<max(repeats, 1) {
            var stopwatch = Stopwatch()
            func lap(_ stage: Int) { best[stage] = min(best[stage], stopwatch.lap().wallSeconds) }
            let data = try task.load(file, onBadRow: .skip)
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
        return Result(task: task, file: file, summary: summary, bestSeconds: best)
    }
}
