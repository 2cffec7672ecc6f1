import Decoding
import TestSupport
import Testing

/// transformers' processor list applied to fixed score rows (Tests/Fixtures/generate/processors.json).
@Suite struct ProcessorParityTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let name: String
            let parameters: GenerateParameters
            let processors: [String]
            let scores: [[Float]]
            let expected: [[Float?]]
        }

        struct Warper: Decodable {
            let name: String
            let k: Int?
            let p: Double?
            let minTokensToKeep: Int
            let scores: [[Float]]
            let expected: [[Float?]]

            enum CodingKeys: String, CodingKey {
                case name, k, p, scores, expected
                case minTokensToKeep = "min_tokens_to_keep"
            }
        }

        let vocabSize: Int
        let promptWidth: Int
        let paddings: [Int]
        let histories: [[Int]]
        let cases: [Case]
        let warpers: [Warper]

        enum CodingKeys: String, CodingKey {
            case paddings, histories, cases, warpers
            case vocabSize = "vocab_size"
            case promptWidth = "prompt_width"
        }

        /// The fixture rows as `TokenHistory` values (padded prompt, then the generated tail).
        var tokenHistories: [TokenHistory] {
            zip(histories, paddings).map { tokens, padding in
                var history = TokenHistory(
                    prompt: Array(tokens[padding..<promptWidth]), width: promptWidth, pad: tokens.first ?? 0)
                for token in tokens[promptWidth...] { history.append(token) }
                return history
            }
        }
    }

    static func load() throws -> Fixture { try Fixtures.json(Fixture.self, "generate/processors.json") }
    /// The 18 settings of the fixture, for `@Test(arguments: try …)` (an unreadable or truncated file fails).
    static func caseNames() throws -> [String] {
        try Fixtures.cases(load().cases.map(\.name), count: 18, in: "generate/processors.json")
    }

    /// transformers class name -> this module's processor type.
    static let typeNames = [
        "RepetitionPenaltyLogitsProcessor": "RepetitionPenaltyProcessor",
        "NoRepeatNGramLogitsProcessor": "NoRepeatNGramProcessor",
        "NoBadWordsLogitsProcessor": "BadWordsProcessor",
        "MinLengthLogitsProcessor": "MinLengthProcessor",
        "MinNewTokensLengthLogitsProcessor": "MinNewTokensProcessor",
        "TemperatureLogitsWarper": "TemperatureWarper",
        "TopKLogitsWarper": "TopKWarper",
        "TopPLogitsWarper": "TopPWarper",
    ]

    static func apply(_ processors: [any LogitsProcessor], to row: [Float], history: TokenHistory) -> [Float] {
        var scores = row
        scores.withUnsafeMutableBufferPointer { buffer in
            for processor in processors { processor.process(buffer, history: history) }
        }
        return scores
    }

    static func decoded(_ expected: [Float?]) -> [Float] { expected.map { $0 ?? -.infinity } }

    /// Each setting builds the processors transformers' `_get_logits_processor` builds, in the same order, and
    /// they rewrite every row bit-identically (bans as -inf).
    @Test(arguments: try caseNames())
    func processorsMatchTransformers(name: String) throws {
        let fixture = try Self.load()
        let testCase = try #require(fixture.cases.first { $0.name == name })
        let processors = testCase.parameters.logitsProcessors(promptWidth: fixture.promptWidth)
        #expect(
            processors.map { String(describing: type(of: $0)) } == testCase.processors.map { Self.typeNames[$0] ?? $0 })
        for (r, history) in fixture.tokenHistories.enumerated() {
            let got = Self.apply(processors, to: testCase.scores[r], history: history)
            #expect(got == Self.decoded(testCase.expected[r]), "\(name) row \(r)")
        }
    }

    /// Top-k and top-p keep at least `min_tokens_to_keep` tokens, as transformers' warpers do.
    @Test func warpersWithMinTokensToKeep() throws {
        let fixture = try Self.load()
        #expect(fixture.warpers.count == 2)
        for warper in fixture.warpers {
            let processor: any LogitsProcessor =
                if let k = warper.k {
                    TopKWarper(k: k, minTokensToKeep: warper.minTokensToKeep)
                } else {
                    TopPWarper(p: warper.p ?? 1, minTokensToKeep: warper.minTokensToKeep)
                }
            for (r, history) in fixture.tokenHistories.enumerated() {
                let got = Self.apply([processor], to: warper.scores[r], history: history)
                #expect(got == Self.decoded(warper.expected[r]), "\(warper.name) row \(r)")
            }
        }
    }
}
