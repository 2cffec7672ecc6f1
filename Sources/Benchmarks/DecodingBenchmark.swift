import Decoding
import GPT2
import LNTune

/// What decoding costs on top of the model: the decoders drive a model whose forward is (almost) free — it
/// copies one of a few fixed random logit rows — so the measured time is the bookkeeping (log-softmax,
/// processors, partial top-k, history copies, cache-row lists) plus one row copy per logit row.
public enum DecodingBenchmark {
    public struct Result: Sendable {
        public let mode: String
        /// Model rows per step (prompts × beams).
        public let rows: Int
        public let steps: Int
        /// Best-of-N wall time per decoding step.
        public let millisecondsPerStep: Double
        /// The same per model row.
        public var microsecondsPerRow: Double { millisecondsPerStep * 1000 / Double(rows) }
    }

    /// Runs greedy and beam search (`numBeams`) over `prompts` prompts for `newTokens` steps, best of `repeats`,
    /// plus the cost of the naive alternative for beam search: fully sorting each prompt's `numBeams × V` scores.
    public static func run(
        vocabularySize v: Int = 50257, prompts: Int = 10, numBeams beams: Int = 5, newTokens: Int = 32,
        repeats: Int = 3
    ) throws -> [Result] {
        try validate(prompts: prompts, numBeams: beams, newTokens: newTokens)
        guard v > 2 * beams else {
            throw BenchmarkError.invalidArgument(
                argument: "--vocabulary", value: String(v), reason: "must exceed 2 × --num-beams (\(2 * beams))")
        }
        let promptList = promptTokens(prompts, vocabularySize: v)
        var results: [Result] = []
        for (mode, numBeams, noRepeat) in [
            ("greedy", 1, 0), ("beam \(beams)", beams, 0),
            ("beam \(beams) + no_repeat_ngram 3", beams, 3),
        ] {
            results.append(
                try timedDecoding(
                    mode, prompts: promptList, beams: numBeams, noRepeat: noRepeat, newTokens: newTokens,
                    repeats: repeats
                ) { FixedLogitsModel(vocabularySize: v) })
        }
        // The alternative the partial selection avoids: a full sort of beams × V candidates per prompt.
        let scores = FixedLogitsModel(vocabularySize: v).table.prefix(beams * v)
        var sorted = 0
        let sorts = TimedRuns.measure(repeats: repeats) {
            for _ in 0..<prompts { sorted += scores.indices.sorted { scores[$0] > scores[$1] }.count }
        }
        withExtendedLifetime(sorted) {}  // keeps the sorts from being optimised away
        results.append(
            Result(
                mode: "full sort of beams × V (not used)", rows: prompts * beams, steps: 1,
                millisecondsPerStep: sorts.bestWallSeconds * 1000))
        return results
    }

    /// The same decoding runs with a real forward: a GPT-2 of `config` with random weights (same cost as trained
    /// ones) through `GPT2LanguageModel`, so the bookkeeping can be read as a fraction of the whole step.
    public static func runWithModel(
        config: GPT2Config, prompts: Int = 10, numBeams beams: Int = 5, newTokens: Int = 16, repeats: Int = 2
    ) throws -> [Result] {
        try validate(prompts: prompts, numBeams: beams, newTokens: newTokens)
        let model = try ModelBenchmark.randomModel(config, seed: 3)
        let promptList = promptTokens(prompts, vocabularySize: config.vocabSize)
        var results: [Result] = []
        for (mode, numBeams) in [("greedy, GPT-2 forward", 1), ("beam \(beams), GPT-2 forward", beams)] {
            results.append(
                try timedDecoding(mode, prompts: promptList, beams: numBeams, newTokens: newTokens, repeats: repeats) {
                    GPT2LanguageModel(model: model)
                })
        }
        return results
    }

    /// The results as a Markdown table (eval/BENCHMARKS.md).
    public static func table(_ results: [Result]) -> String {
        var lines = ["| mode | rows/step | ms/step | µs/row |", "|---|---:|---:|---:|"]
        for r in results {
            let ms = (r.millisecondsPerStep * 100).rounded() / 100
            let us = (r.microsecondsPerRow * 10).rounded() / 10
            lines.append("| \(r.mode) | \(r.rows) | \(ms) | \(us) |")
        }
        return lines.joined(separator: "\n")
    }

    private static func validate(prompts: Int, numBeams: Int, newTokens: Int) throws(BenchmarkError) {
        try BenchmarkError.require("--prompts", prompts, atLeast: 1)
        try BenchmarkError.require("--num-beams", numBeams, atLeast: 2)
        try BenchmarkError.require("--new-tokens", newTokens, atLeast: 1)
    }

    /// `count` deterministic prompts of 8 to 12 ordinary token ids.
    private static func promptTokens(_ count: Int, vocabularySize v: Int) -> [[Int]] {
        (0..<count).map { p in (0..<(8 + p % 5)).map { ($0 * 7919 + p * 104_729) % v } }
    }

    /// One decoding mode over `prompts`, best of `repeats`, with a fresh model from `makeModel` per run.
    private static func timedDecoding<Model: CausalLanguageModel>(
        _ mode: String, prompts: [[Int]], beams: Int, noRepeat: Int = 0, newTokens: Int, repeats: Int,
        _ makeModel: () -> Model
    ) throws -> Result {
        var p = GenerateParameters()
        p.maxNewTokens = newTokens
        p.numBeams = beams
        p.noRepeatNgramSize = noRepeat
        let runs = try TimedRuns.measure(repeats: repeats) {
            var model = makeModel()
            _ = try Generation.generate(&model, prompts: prompts, parameters: p)
        }
        return Result(
            mode: mode, rows: prompts.count * beams, steps: newTokens,
            millisecondsPerStep: runs.bestWallSeconds * 1000 / Double(newTokens))
    }
}
