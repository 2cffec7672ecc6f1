import Decoding
import Foundation
import GPT2
import Kernels

extension GenerateBenchmark {
    /// Greedy batch 1 in fp32 and in bf16 on the same weights, and how far their ids agree.
    public struct PrecisionComparison: Sendable, Codable, Equatable {
        /// The fp32 row, then the bf16 row.
        public var rows: [Row]
        /// fp32's best wall time over bf16's (above 1: bf16 is faster).
        public var bf16Speedup: Double
        /// New tokens the two greedy runs produce alike before their first difference.
        public var idsEqualUpTo: Int
        /// The path bf16 products took (`BF16Backend.current`).
        public var bf16Backend: String

        enum CodingKeys: String, CodingKey {
            case rows
            case bf16Speedup = "bf16_speedup"
            case idsEqualUpTo = "ids_equal_up_to"
            case bf16Backend = "bf16_backend"
        }
    }

    /// Greedy decoding of one prompt with the same weights in fp32 and in bf16, the two runs alternating
    /// `repeats` times after one warm-up each (a shared machine's load then hits both alike); best of each.
    public static func comparePrecisions(
        parameters: GPT2Parameters, promptLength: Int = 16, newTokens: Int = 32, repeats: Int = 3
    ) throws -> PrecisionComparison {
        try BenchmarkError.require("--prompt-length", promptLength, atLeast: 1)
        try BenchmarkError.require("--new-tokens", newTokens, atLeast: 1)
        let config = parameters.config
        let models = try [Precision.fp32, .bf16].map {
            GPT2LanguageModel(model: try GPT2Model(config: config, parameters: parameters, precision: $0))
        }
        let vocabulary = max(config.vocabSize - 1, 1)
        let prompt = [(0..<promptLength).map { ($0 * 104729 + 13) % vocabulary }]
        var greedy = GenerateParameters()
        greedy.maxNewTokens = newTokens
        greedy.eosTokenId = nil
        var runs = [TimedRuns(), TimedRuns()]
        var outputs: [[Int]] = [[], []]
        for round in 0...max(repeats, 1) {
            for (i, model) in models.enumerated() {
                var m = model
                var timed = TimedRuns()
                let result = try timed.time { try Generation.generate(&m, prompts: prompt, parameters: greedy) }
                outputs[i] = result.first?.first?.tokens ?? []
                if round > 0 { runs[i].append(timed.runs[0]) }  // round 0 is the warm-up
            }
        }
        let rows = zip(["greedy fp32", "greedy bf16"], runs).map { name, timed in
            Row(
                mode: name, prompts: 1, newTokens: newTokens, seconds: timed.bestWallSeconds,
                tokensPerSecond: Double(newTokens) / timed.bestWallSeconds)
        }
        return PrecisionComparison(
            rows: rows, bf16Speedup: runs[0].bestWallSeconds / runs[1].bestWallSeconds,
            idsEqualUpTo: zip(outputs[0], outputs[1]).prefix { $0 == $1 }.count,
            bf16Backend: BF16Backend.current.rawValue)
    }

    /// The comparison as one JSON line, or as a Markdown table and a summary line.
    public static func format(_ comparison: PrecisionComparison, json: Bool) -> String {
        if json { return JSONLine.encode(comparison) }
        return format(comparison.rows, json: false) + "\n"
            + String(
                format: "bf16 (%@) / fp32 speed: %.2f×; greedy ids equal for the first %d of %d new tokens",
                comparison.bf16Backend, comparison.bf16Speedup, comparison.idsEqualUpTo,
                comparison.rows.first?.newTokens ?? 0)
    }
}
