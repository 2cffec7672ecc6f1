import Decoding
import Foundation
import GPT2
import LNTune
import Tuning

/// Decoding throughput of a real model (new tokens per second, prefill included): greedy on one prompt and on
/// a batch, and beam search on one prompt, EOS disabled so every sequence runs to `newTokens`. For
/// eval/bench_generate.py, which runs transformers' `generate` on the same model in the same run.
public enum GenerateBenchmark {
    /// One decoding mode. The JSON field names are what eval/bench_generate.py reads.
    public struct Row: Sendable, Codable, Equatable {
        public var mode: String
        public var prompts: Int
        /// New tokens of all returned sequences (beam search returns one per prompt).
        public var newTokens: Int
        /// Best wall time of the runs.
        public var seconds: Double
        public var tokensPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case mode, prompts, seconds
            case newTokens = "new_tokens"
            case tokensPerSecond = "tokens_per_s"
        }
    }

    /// `method` (nil: the model as it is) adds its decoding cost: a freshly initialised adapter of it — hook-point
    /// modules and prefix slots cost the same whatever their values.
    public static func run(
        model: GPT2Model, method: (any TuningMethod)? = nil, promptLength: Int = 16, newTokens: Int = 32,
        batchSize: Int = 8, numBeams: Int = 5, repeats: Int = 3
    ) throws -> [Row] {
        try BenchmarkError.require("--prompt-length", promptLength, atLeast: 1)
        try BenchmarkError.require("--new-tokens", newTokens, atLeast: 1)
        try BenchmarkError.require("--batch-size", batchSize, atLeast: 1)
        try BenchmarkError.require("--num-beams", numBeams, atLeast: 2)
        let languageModel = try method.map { try adapted(model, with: $0) } ?? GPT2LanguageModel(model: model)
        let vocabulary = max(model.config.vocabSize - 1, 1)
        // Deterministic prompts of ordinary token ids (no EOS, so every sequence runs to new-tokens).
        func prompts(_ count: Int) -> [[Int]] {
            (0..<count).map { r in (0..<promptLength).map { (r * 7919 + $0 * 104729 + 13) % vocabulary } }
        }
        var greedy = GenerateParameters()
        greedy.maxNewTokens = newTokens
        greedy.eosTokenId = nil
        var beam = greedy
        beam.numBeams = numBeams
        let cases = [("greedy", 1, greedy), ("greedy", batchSize, greedy), ("beam-\(numBeams)", 1, beam)]
        return try cases.map { name, count, parameters in
            let input = prompts(count)
            let runs = try TimedRuns.measure(repeats: repeats) {
                var m = languageModel
                _ = try Generation.generate(&m, prompts: input, parameters: parameters)
            }
            let tokens = count * newTokens
            return Row(
                mode: name, prompts: count, newTokens: tokens, seconds: runs.bestWallSeconds,
                tokensPerSecond: Double(tokens) / runs.bestWallSeconds)
        }
    }

    /// `model` running a new adapter of `method`: its hook-point module and its prefix, initialised as a run
    /// starts them.
    static func adapted(_ model: GPT2Model, with method: any TuningMethod) throws -> GPT2LanguageModel {
        try method.validate(for: model.config)
        var random = TuningRandom(seed: 1)
        let prefix = method.prefix.map { PrefixParameters(config: model.config, options: $0, random: &random) }
        let module = method.makeExtension(for: model.config)
        module?.initialize(random: &random)
        return GPT2LanguageModel(model: try model.extended(with: module), prefix: prefix?.slots())
    }

    /// The rows as JSON lines or as a Markdown table.
    public static func format(_ rows: [Row], json: Bool) -> String {
        if json { return rows.map(JSONLine.encode).joined(separator: "\n") }
        let lines = rows.map {
            String(
                format: "| %@ | %d | %d | %.3f | %.1f |", $0.mode, $0.prompts, $0.newTokens, $0.seconds,
                $0.tokensPerSecond)
        }
        return (["| mode | prompts | new tokens | best s | tokens/s |", "|---|---:|---:|---:|---:|"] + lines)
            .joined(separator: "\n")
    }
}
