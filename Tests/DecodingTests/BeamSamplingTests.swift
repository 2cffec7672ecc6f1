import Decoding
import Foundation
import Testing

/// Beam sampling (`do_sample` with `num_beams > 1`), transformers 5.23's `_beam_search` with `do_sample=True`:
/// the continuations are drawn without replacement from the softmax of the accumulated scores. torch's draws
/// cannot be reproduced, so the draws are checked against their distribution; the processors are compared with
/// transformers in OptionParityTests (`beam_sample_*`).
@Suite struct BeamSamplingTests {
    static func parameters(seed: UInt64, beams: Int = 2, maxNewTokens: Int = 8) -> GenerateParameters {
        var p = GenerateParameters()
        p.doSample = true
        p.numBeams = beams
        p.numReturnSequences = beams
        p.maxNewTokens = maxNewTokens
        p.eosTokenId = SyntheticModel.eos
        p.seed = seed
        return p
    }

    /// A seed reproduces the beams and their scores; other seeds give other beams. Every beam is ranked by
    /// score, best first, as in beam search.
    @Test func seedReproduces() throws {
        let prompts = [[3, 17, 22], [8], [40, 41, 42, 43]]
        var model = SyntheticModel()
        let a = try Generation.generate(&model, prompts: prompts, parameters: Self.parameters(seed: 5, beams: 3))
        let b = try Generation.generate(&model, prompts: prompts, parameters: Self.parameters(seed: 5, beams: 3))
        #expect(a == b)
        var differ = false
        for seed in 6..<12 {
            let c = try Generation.generate(
                &model, prompts: prompts, parameters: Self.parameters(seed: UInt64(seed), beams: 3))
            differ = differ || c.map { $0.map(\.tokens) } != a.map { $0.map(\.tokens) }
        }
        #expect(differ)
        for beams in a {
            #expect(beams.count == 3)
            #expect(zip(beams, beams.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
    }

    /// One step with two beams: the two returned tokens are the first two draws without replacement from the
    /// softmax of the prompt's log-probabilities (beam 1 starts at -1e9, weight 0). Each token's inclusion
    /// frequency over 6 000 draws stays within 4.5 standard deviations of P(first) + Σ P(j first) p_i / (1 - p_j).
    @Test func firstStepDrawsWithoutReplacement() throws {
        let prompt = [11, 30, 2]
        let logits = SyntheticModel.logits(prompt).map(Double.init)
        let m = logits.max() ?? 0
        let weights = logits.map { exp($0 - m) }
        let total = weights.reduce(0, +)
        let p = weights.map { $0 / total }
        let inclusion = p.indices.map { i in
            p[i] + p.indices.reduce(0.0) { $1 == i ? $0 : $0 + p[$1] * p[i] / (1 - p[$1]) }
        }
        var counts = [Int](repeating: 0, count: p.count)
        var model = SyntheticModel()
        let runs = 60
        let perRun = 100
        for seed in 0..<runs {
            let prompts = Array(repeating: prompt, count: perRun)
            let out = try Generation.generate(
                &model, prompts: prompts, parameters: Self.parameters(seed: UInt64(seed), maxNewTokens: 1))
            for beams in out {
                let tokens = beams.map { $0.endedWithEOS ? SyntheticModel.eos : $0.tokens[0] }
                #expect(Set(tokens).count == 2, "the two beams drew the same token")
                for t in tokens { counts[t] += 1 }
            }
        }
        let n = Double(runs * perRun)
        for (token, q) in inclusion.enumerated() {
            let sd = (n * q * (1 - q)).squareRoot()
            #expect(
                abs(Double(counts[token]) - n * q) <= 4.5 * max(sd, 1), "token \(token): \(counts[token]) vs \(n * q)")
        }
    }
}
