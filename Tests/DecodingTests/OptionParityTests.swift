import Decoding
import Foundation
import GPT2
import TestSupport
import Testing

/// The generate options of issue 17 against transformers 5 (Tests/Fixtures/generate/options-*.json, written by
/// eval/reference/make_generate_option_fixtures.py): typical_p, epsilon_cutoff, eta_cutoff, min_tokens_to_keep,
/// sequence_bias, forced BOS/EOS, several EOS ids, min_length and the beam-sampling processor chain.
@Suite struct OptionParityTests {
    struct Warper: Decodable {
        let name: String
        let `class`: String
        let value: Double
        let minTokensToKeep: Int
        let scores: [[Float]]
        let expected: [[Float?]]

        enum CodingKeys: String, CodingKey {
            case name, `class`, value, scores, expected
            case minTokensToKeep = "min_tokens_to_keep"
        }

        var processor: any LogitsProcessor {
            switch self.class {
            case "TypicalLogitsWarper": return TypicalWarper(mass: value, minTokensToKeep: minTokensToKeep)
            case "EpsilonLogitsWarper": return EpsilonWarper(epsilon: value, minTokensToKeep: minTokensToKeep)
            case "EtaLogitsWarper": return EtaWarper(epsilon: value, minTokensToKeep: minTokensToKeep)
            default: return TopKWarper(k: Int(value), minTokensToKeep: minTokensToKeep)
            }
        }
    }

    struct Fixture: Decodable {
        let promptWidth: Int
        let cases: [ProcessorParityTests.Fixture.Case]
        let warpers: [Warper]

        enum CodingKeys: String, CodingKey {
            case cases, warpers
            case promptWidth = "prompt_width"
        }
    }

    static func load() throws -> Fixture { try Fixtures.json(Fixture.self, "generate/options-processors.json") }
    /// The rows and histories are processors.json's (same generator, same draws).
    static func histories() throws -> [TokenHistory] { try ProcessorParityTests.load().tokenHistories }

    static func caseNames() throws -> [String] {
        try Fixtures.cases(load().cases.map(\.name), count: 17, in: "generate/options-processors.json")
    }

    static let typeNames = ProcessorParityTests.typeNames.merging([
        "TypicalLogitsWarper": "TypicalWarper", "EpsilonLogitsWarper": "EpsilonWarper",
        "EtaLogitsWarper": "EtaWarper", "SequenceBiasLogitsProcessor": "SequenceBiasProcessor",
        "ForcedBOSTokenLogitsProcessor": "ForcedBOSProcessor", "ForcedEOSTokenLogitsProcessor": "ForcedEOSProcessor",
    ]) { a, _ in a }

    /// Each setting builds transformers' processors in transformers' order, and they rewrite every row exactly
    /// (bans as -inf, biases as the same float32 sums).
    @Test(arguments: try caseNames())
    func processorsMatchTransformers(name: String) throws {
        let fixture = try Self.load()
        let testCase = try #require(fixture.cases.first { $0.name == name })
        let processors = testCase.parameters.logitsProcessors(promptWidth: fixture.promptWidth)
        #expect(
            processors.map { String(describing: type(of: $0)) } == testCase.processors.map { Self.typeNames[$0] ?? $0 })
        for (r, history) in try Self.histories().enumerated() {
            let got = ProcessorParityTests.apply(processors, to: testCase.scores[r], history: history)
            #expect(got == ProcessorParityTests.decoded(testCase.expected[r]), "\(name) row \(r)")
        }
    }

    /// Typical, epsilon, eta and top-k keep at least `min_tokens_to_keep` tokens, as transformers' warpers do.
    @Test func warpersWithMinTokensToKeep() throws {
        let fixture = try Self.load()
        #expect(fixture.warpers.count == 4)
        for warper in fixture.warpers {
            for (r, history) in try Self.histories().enumerated() {
                let got = ProcessorParityTests.apply([warper.processor], to: warper.scores[r], history: history)
                #expect(got == ProcessorParityTests.decoded(warper.expected[r]), "\(warper.name) row \(r)")
            }
        }
    }

    /// `--min-tokens-to-keep` reaches every sampling warper; without it plain sampling keeps 1 and beam sampling
    /// one more than the EOS ids (2 at least), as transformers computes it.
    @Test func minTokensToKeepDefaults() {
        var p = GenerateParameters()
        p.doSample = true
        #expect(p.warperMinTokensToKeep == 1)
        p.numBeams = 3
        #expect(p.warperMinTokensToKeep == 2)
        p.eosTokenIds = [1, 2, 3]
        #expect(p.warperMinTokensToKeep == 4)
        p.minTokensToKeep = 7
        p.typicalP = 0.5
        p.epsilonCutoff = 0.1
        p.etaCutoff = 0.1
        let keeps = p.logitsProcessors(promptWidth: 1).compactMap { processor -> Int? in
            switch processor {
            case let w as TopKWarper: return w.k
            case let w as TypicalWarper: return w.minTokensToKeep
            case let w as EpsilonWarper: return w.minTokensToKeep
            case let w as EtaWarper: return w.minTokensToKeep
            default: return nil
            }
        }
        #expect(keeps == [50, 7, 7, 7])
    }

    /// Greedy and beam search with the new options decode the synthetic model to transformers' outputs.
    @Test(arguments: try GenerateFixture.caseNames("options-synthetic", count: 8))
    func syntheticMatchesTransformers(caseName: String) throws {
        try GenerateParityTests.check(try GenerateFixture.load("options-synthetic"), caseName: caseName) {
            SyntheticModel()
        }
    }

    /// The same through the tiny GPT-2 checkpoint (KV cache, left padding, beam reorder).
    @Test(arguments: try GenerateFixture.caseNames("options-tiny-gpt2", count: 8))
    func tinyGPT2MatchesTransformers(caseName: String) throws {
        let model = try GenerateParityTests.tinyModel.get()
        try GenerateParityTests.check(try GenerateFixture.load("options-tiny-gpt2"), caseName: caseName, singleLimit: 8)
        {
            GPT2LanguageModel(model: model)
        }
    }
}
