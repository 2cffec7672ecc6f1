import GPT2

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

    /// Runs greedy and beam search (`beams`) over `prompts` prompts for `newTokens` steps, best of `repeats`,
    /// plus the cost of the naive alternative for beam search: fully sorting each prompt's `beams × V` scores.
    public static func run(
        vocabularySize v: Int = 50257, prompts: Int = 10, beams: Int = 5, newTokens: Int = 32, repeats: Int = 3
    ) throws -> [Result] {
        let promptList = (0..<prompts).map { p in (0..<(8 + p % 5)).map { ($0 * 7919 + p * 104_729) % v } }
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
        let best = bestTime(repeats) {
            for _ in 0..<prompts { sorted += scores.indices.sorted { scores[$0] > scores[$1] }.count }
        }
        withExtendedLifetime(sorted) {}  // keeps the sorts from being optimised away
        results.append(
            Result(
                mode: "full sort of beams × V (not used)", rows: prompts * beams, steps: 1,
                millisecondsPerStep: best * 1000))
        return results
    }

    /// The same decoding runs with a real forward: a GPT-2 of `config` with random weights (same cost as trained
    /// ones) through `GPT2LanguageModel`, so the bookkeeping can be read as a fraction of the whole step.
    public static func runWithModel(
        config: GPT2Config, prompts: Int = 10, beams: Int = 5, newTokens: Int = 16, repeats: Int = 2
    ) throws -> [Result] {
        let parameters = GPT2Parameters(config: config)
        var generator = Xoshiro256StarStar(seed: 3)
        for i in 0..<parameters.count { parameters.base[i] = Float(generator.nextDouble() - 0.5) * 0.1 }
        let model = try GPT2Model(config: config, parameters: parameters)
        let v = config.vocabSize
        let promptList = (0..<prompts).map { p in (0..<(8 + p % 5)).map { ($0 * 7919 + p * 104_729) % v } }
        var results: [Result] = []
        for (mode, numBeams) in [("greedy, GPT-2 forward", 1), ("beam \(beams), GPT-2 forward", beams)] {
            results.append(
                try timedDecoding(mode, prompts: promptList, beams: numBeams, newTokens: newTokens, repeats: repeats) {
                    GPT2LanguageModel(model: model)
                })
        }
        return results
    }

    /// Best wall time of `repeats` runs of `body`, in seconds.
    /// One decoding mode over `prompts`, best of `repeats`, with a fresh model from `makeModel` per run.
    private static func timedDecoding<Model: CausalLanguageModel>(
        _ mode: String, prompts: [[Int]], beams: Int, noRepeat: Int = 0, newTokens: Int, repeats: Int,
        _ makeModel: () -> Model
    ) throws -> Result {
        var p = GenerateParameters()
        p.maxNewTokens = newTokens
        p.numBeams = beams
        p.noRepeatNgramSize = noRepeat
        let best = try bestTime(repeats) {
            var model = makeModel()
            _ = try Generation.generate(&model, prompts: prompts, parameters: p)
        }
        return Result(
            mode: mode, rows: prompts.count * beams, steps: newTokens, millisecondsPerStep: best * 1000 / Double(newTokens))
    }

    private static func bestTime(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = ContinuousClock.now
            try body()
            let d = ContinuousClock.now - start
            best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        return best
    }

    /// Logits are one of 8 fixed pseudo-random rows, chosen by the row's last token.
    struct FixedLogitsModel: CausalLanguageModel {
        let vocabularySize: Int
        var maxSequenceLength: Int { 1 << 20 }
        let table: [Float]
        private var last: [Int] = []

        init(vocabularySize: Int) {
            self.vocabularySize = vocabularySize
            var generator = Xoshiro256StarStar(seed: 1)
            table = (0..<(8 * vocabularySize)).map { _ in Float(generator.nextDouble() * 12 - 6) }
        }

        mutating func prefill(_ prompts: [[Int]], maxNewTokens: Int) throws -> [Float] {
            last = prompts.map { $0.last ?? 0 }
            return rows()
        }

        mutating func step(_ tokens: [Int]) throws -> [Float] {
            last = tokens
            return rows()
        }

        mutating func reorderCache(_ order: [Int]) throws { last = order.map { last[$0] } }

        private func rows() -> [Float] {
            var out: [Float] = []
            out.reserveCapacity(last.count * vocabularySize)
            for token in last {
                let r = (token &* 2_654_435_761) & 7
                out.append(contentsOf: table[(r * vocabularySize)..<((r + 1) * vocabularySize)])
            }
            return out
        }
    }
}
