import Foundation
import LNTune
import ResourceUsage
import Tokenizers

/// Encode throughput of the GPT-2 tokenizer in MB/s of UTF-8 input. `cold` is the first pass of a freshly
/// loaded tokenizer (empty word cache); `best` is the best of the further passes. eval/bench_tokenize.py reads
/// the `cold:`, `best:` and `cpu:` lines of `text`.
public enum TokenizerBenchmark {
    public struct Result: Sendable {
        public var tokenizer: String
        public var files: Int
        public var texts: Int
        public var bytes: Int
        public var tokens: Int
        public var threads: Int
        public var loadSeconds: Double
        public var cold: Elapsed
        public var warm: TimedRuns

        public var text: String {
            let megabytes = Double(bytes) / 1e6
            return [
                "tokenizer: \(tokenizer) (loaded in \(format(loadSeconds * 1000)) ms)",
                "input: \(files) file(s), \(texts) texts, \(bytes) bytes, \(tokens) tokens",
                "threads: \(threads)",
                "cold: \(format(megabytes / cold.wallSeconds)) MB/s",
                "best: \(format(megabytes / warm.bestWallSeconds)) MB/s (of \(warm.runs.count))",
                // Process CPU time is steadier than wall time on a shared machine (all threads counted).
                "cpu: \(format(megabytes / warm.bestCPUSeconds)) MB per CPU-second",
            ].joined(separator: "\n")
        }

        private func format(_ value: Double) -> String { String(format: "%.2f", value) }
    }

    /// The texts of `paths`: one per line of a text file, or the strings of a `.json` file holding an array.
    public static func texts(paths: [String]) throws -> [String] {
        var texts: [String] = []
        for path in paths {
            let (bytes, source) = try LineInput.read(path: path)
            if path.hasSuffix(".json") {
                do {
                    texts += try JSONDecoder().decode([String].self, from: Data(bytes))
                } catch {
                    throw BenchmarkError.unreadableInput(
                        file: source, reason: "expected a JSON array of strings (\(error))")
                }
            } else {
                texts += try LineInput.textLines(bytes, source: source)
            }
        }
        return texts
    }

    /// Loads the tokenizer at `tokenizerPath` (vocab.json + merges.txt folder or .tiktoken file) and encodes
    /// `texts` once cold and `repeats` times warm on `threads` threads.
    public static func run(
        tokenizerPath: String, texts: [String], files: Int, threads: Int = 1, repeats: Int = 5
    ) throws -> Result {
        try BenchmarkError.require("--threads", threads, atLeast: 1)
        let (tokenizer, load) = try Stopwatch.measure { () throws(TokenizerError) in
            try GPT2Tokenizer.load(URL(fileURLWithPath: tokenizerPath))
        }
        func pass() throws -> Int {
            try tokenizer.encodeBatch(texts, special: .allow, threads: threads).reduce(0) { $0 + $1.count }
        }
        let (tokens, cold) = try Stopwatch.measure(pass)
        let warm = try TimedRuns.measure(repeats: repeats) { _ = try pass() }
        return Result(
            tokenizer: tokenizerPath, files: files, texts: texts.count, bytes: texts.reduce(0) { $0 + $1.utf8.count },
            tokens: tokens, threads: threads, loadSeconds: load.wallSeconds, cold: cold, warm: warm)
    }
}
