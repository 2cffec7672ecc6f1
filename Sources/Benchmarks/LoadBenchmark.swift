import Foundation
import GPT2
import LNTune
import ResourceUsage

/// How long loading (and optionally saving) a checkpoint takes, against the floor of reading its bytes at all.
public enum LoadBenchmark {
    public struct Result: Sendable {
        public var folder: URL
        /// Size of `model.safetensors`.
        public var weightsBytes: Double
        /// Baseline: `Data(contentsOf:)` of the weights file, one read(2) copy into fresh memory.
        public var read: TimedRuns
        /// `SafeTensorsFile.open`: the header parsed and validated.
        public var open: TimedRuns
        /// `GPT2Checkpoint.load`: config, header, conversion into the parameter buffer.
        public var load: TimedRuns
        /// The last checkpoint loaded, for `save`.
        public var checkpoint: GPT2Checkpoint?

        public var text: String {
            var lines = [
                "model: \(folder.path)  (model.safetensors \(String(format: "%.1f", weightsBytes / 1e6)) MB)",
                Self.line("baseline: read file into memory", read, bytes: weightsBytes),
                Self.line("open + validate header", open, bytes: nil),
                Self.line("load (config, header, convert into parameters)", load, bytes: weightsBytes),
            ]
            lines.append(String(format: "load / baseline (best): %.2f", load.bestWallSeconds / read.bestWallSeconds))
            return lines.joined(separator: "\n")
        }

        private static func line(_ label: String, _ runs: TimedRuns, bytes: Double?) -> String {
            var line = String(
                format: "%@: best %.3f s, median %.3f s over %d", label, runs.bestWallSeconds, runs.medianWallSeconds,
                runs.runs.count)
            if let bytes { line += String(format: " (best %.2f GB/s)", bytes / runs.bestWallSeconds / 1e9) }
            return line
        }
    }

    /// Times `repeats` rounds of read, open and load of the single-file checkpoint in `folder`, interleaved so
    /// that machine noise hits all three alike.
    public static func run(folder: URL, repeats: Int = 5) throws -> Result {
        try BenchmarkError.require("--repeats", repeats, atLeast: 1)
        let weights = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw BenchmarkError.missingWeights(folder: folder.path, hint: "sharded checkpoints are not benchmarked")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: weights.path)
        let bytes = (attributes?[.size] as? NSNumber)?.doubleValue ?? 0
        var result = Result(
            folder: folder, weightsBytes: bytes, read: TimedRuns(), open: TimedRuns(), load: TimedRuns(),
            checkpoint: nil)
        for _ in 0..<repeats {
            _ = try result.read.time { try Data(contentsOf: weights) }
            _ = try result.open.time { try SafeTensorsFile.open(weights) }
            result.checkpoint = nil  // free the previous copy first, so each load allocates as a fresh process would
            result.checkpoint = try result.load.time { try GPT2Checkpoint.load(directory: folder) }
        }
        return result
    }

    /// Seconds `checkpoint.save(to:)` takes (config.json + model.safetensors, fsync included), and a line saying so.
    public static func save(_ checkpoint: GPT2Checkpoint, to target: URL, weightsBytes: Double) throws -> String {
        let (_, elapsed) = try Stopwatch.measure { try checkpoint.save(to: target) }
        let seconds = elapsed.wallSeconds
        return String(
            format: "save: %.3f s (%.2f GB/s, incl. fsync) -> %@", seconds, weightsBytes / seconds / 1e9, target.path)
    }
}
