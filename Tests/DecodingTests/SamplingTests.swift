import Decoding
import Foundation
import Testing

/// Sampling: reproducible with a seed, top-k 1 is greedy, and draws follow softmax after the warpers.
@Suite struct SamplingTests {
    static let prompts = [[3, 17, 22], [8], [40, 41, 42, 43, 44, 45], [5, 5, 5, 5]]

    static func sampling(seed: UInt64, count: Int = 1, maxNewTokens: Int = 12) -> GenerateParameters {
        var p = GenerateParameters()
        p.doSample = true
        p.seed = seed
        p.numReturnSequences = count
        p.maxNewTokens = maxNewTokens
        p.eosTokenId = SyntheticModel.eos
        return p
    }

    /// The same seed gives the same sequences (and scores); another seed gives different ones.
    @Test func seedReproduces() throws {
        var model = SyntheticModel()
        let a = try Generation.generate(&model, prompts: Self.prompts, parameters: Self.sampling(seed: 42, count: 3))
        let b = try Generation.generate(&model, prompts: Self.prompts, parameters: Self.sampling(seed: 42, count: 3))
        let c = try Generation.generate(&model, prompts: Self.prompts, parameters: Self.sampling(seed: 43, count: 3))
        #expect(a == b)
        #expect(a.map { $0.map(\.tokens) } != c.map { $0.map(\.tokens) })
        #expect(a.allSatisfy { $0.count == 3 })
    }

    /// Sampling with top-k 1 keeps only the arg-max, so it reproduces greedy search token for token.
    @Test func topKOneIsGreedy() throws {
        var sample = Self.sampling(seed: 7)
        sample.topK = 1
        sample.maxNewTokens = 20
        var greedy = GenerateParameters()
        greedy.maxNewTokens = 20
        greedy.eosTokenId = SyntheticModel.eos
        var model = SyntheticModel()
        let sampled = try Generation.generate(&model, prompts: Self.prompts, parameters: sample)
        let argmax = try Generation.generate(&model, prompts: Self.prompts, parameters: greedy)
        #expect(sampled.map { $0.map(\.tokens) } == argmax.map { $0.map(\.tokens) })
        #expect(sampled.flatMap { $0 }.allSatisfy { $0.score == 0 })  // probability 1 at every step
    }

    /// Reference warpers written independently of the module (transformers' definitions, in double):
    /// temperature, then keep scores >= the k-th largest, then drop the low tail whose cumulative probability
    /// is <= 1 - p (keeping the most likely token).
    static func expectedDistribution(_ logits: [Float], temperature: Double, topK: Int, topP: Double) -> [Double] {
        var scores = logits.map { Double($0) / temperature }
        if topK > 0 && topK < scores.count {
            let kth = scores.sorted(by: >)[topK - 1]
            scores = scores.map { $0 < kth ? -.infinity : $0 }
        }
        let maxScore = scores.max() ?? 0
        let weights = scores.map { exp($0 - maxScore) }
        let total = weights.reduce(0, +)
        var probabilities = weights.map { $0 / total }
        let ascending = probabilities.indices.sorted { probabilities[$0] < probabilities[$1] }
        var cumulative = 0.0
        for (rank, i) in ascending.enumerated() {
            cumulative += probabilities[i]
            if cumulative <= 1 - topP && rank < ascending.count - 1 { probabilities[i] = 0 }
        }
        let kept = probabilities.reduce(0, +)
        return probabilities.map { $0 / kept }
    }

    /// chi-square 0.999 quantiles for 1...12 degrees of freedom.
    static let critical = [
        10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588, 31.264,
        32.909,
    ]

    /// The 0.999 quantile: the table, or Wilson–Hilferty's approximation beyond it (within 1% there).
    static func criticalValue(degreesOfFreedom df: Int) -> Double {
        if df <= critical.count { return critical[df - 1] }
        let k = Double(df), z = 3.0902
        return k * pow(1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot(), 3)
    }

    /// 20 000 one-token draws through `Generation.generate` (processors, warpers, row replication, sampler)
    /// follow the warped softmax: chi-square below the 0.999 quantile, and filtered tokens never appear.
    /// Deterministic (fixed seeds), so the statistical threshold cannot flake.
    @Test(arguments: [(1.0, 0, 1.0), (0.7, 6, 1.0), (1.3, 0, 0.8), (0.8, 8, 0.9)])
    func drawsFollowWarpedSoftmax(temperature: Double, topK: Int, topP: Double) throws {
        let prompt = [11, 30, 2]
        let expected = Self.expectedDistribution(
            SyntheticModel.logits(prompt), temperature: temperature, topK: topK, topP: topP)
        var counts = [Int](repeating: 0, count: SyntheticModel.vocabulary)
        var model = SyntheticModel()
        for seed in 0..<10 {
            var p = Self.sampling(seed: UInt64(1000 + seed), count: 2000, maxNewTokens: 1)
            p.temperature = temperature
            p.topK = topK
            p.topP = topP
            for sequence in try Generation.generate(&model, prompts: [prompt], parameters: p)[0] {
                let token = sequence.tokens.first ?? SyntheticModel.eos
                counts[token] += 1
            }
        }
        let n = Double(counts.reduce(0, +))
        // Bins: every kept token expected at least 5 times, the rarer kept tokens pooled into one bin.
        var bins: [(observed: Double, expected: Double)] = []
        var pooled = (observed: 0.0, expected: 0.0)
        for (token, probability) in expected.enumerated() {
            if probability == 0 {
                #expect(counts[token] == 0, "token \(token) was filtered but drawn \(counts[token]) times")
            } else if probability * n >= 5 {
                bins.append((Double(counts[token]), probability * n))
            } else {
                pooled = (pooled.observed + Double(counts[token]), pooled.expected + probability * n)
            }
        }
        if pooled.expected > 0 { bins.append(pooled) }
        let chiSquare = bins.reduce(0.0) {
            $0 + ($1.observed - $1.expected) * ($1.observed - $1.expected) / $1.expected
        }
        let df = bins.count - 1
        try #require(df >= 1)
        #expect(chiSquare < Self.criticalValue(degreesOfFreedom: df), "chi2 = \(chiSquare), df = \(df)")
    }

    /// The generator's stream is fixed: a seed always yields the same doubles, uniformly spread over [0, 1).
    @Test func generatorIsUniformAndFixed() {
        var a = Xoshiro256StarStar(seed: 2024)
        var b = Xoshiro256StarStar(seed: 2024)
        var bins = [Int](repeating: 0, count: 10)
        for _ in 0..<50_000 {
            let x = a.nextDouble()
            #expect(x == b.nextDouble())
            #expect(x >= 0 && x < 1)
            bins[Int(x * 10)] += 1
        }
        let chiSquare = bins.reduce(0.0) { $0 + pow(Double($1) - 5000, 2) / 5000 }
        #expect(chiSquare < Self.critical[8])
    }
}
