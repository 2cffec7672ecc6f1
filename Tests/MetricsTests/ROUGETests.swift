import Foundation
import Metrics
import TestSupport
import Testing

struct RougeFixture: Decodable, Sendable, CustomTestStringConvertible {
    struct Example: Decodable, Sendable {
        var targets: [String]
        var prediction: String
    }
    var useStemmer: Bool
    var types: [String]
    var examples: [Example]
    /// Per example, per type: [precision, recall, fmeasure].
    var expected: [[[Double]]]
    var tokens: [[String]]
    var tokenizerInputs: [String]
    var testDescription: String { "useStemmer=\(useStemmer)" }
}

struct PorterFixture: Decodable, Sendable {
    var mode: String
    var words: [String]
    var stems: [String]
}

private let rougeTable = FixtureTable<[RougeFixture]>("metrics/rouge.json")
/// One table without and one with the stemmer.
private func rougeFixtures() throws -> [RougeFixture] { try rougeTable.cases(count: 2) { $0 } }

struct ROUGETests {
    /// The tokenizer (lowercase, non-[a-z0-9] to spaces, optional stemming of tokens longer than 3)
    /// gives rouge-score's tokens, including for non-ASCII letters, the Kelvin sign and dotted İ.
    @Test(arguments: try rougeFixtures())
    func tokenizerMatchesRougeScore(_ f: RougeFixture) {
        for (input, expected) in zip(f.tokenizerInputs, f.tokens) {
            #expect(Rouge.tokenize(input, useStemmer: f.useStemmer) == expected, "\(input.debugDescription)")
        }
    }

    /// `score_multi` precision/recall/F for rouge1/2/3/L/Lsum equal rouge-score's to 1e-9, including
    /// empty texts, blank lines for Lsum and several references.
    @Test(arguments: try rougeFixtures())
    func scoresMatchRougeScore(_ f: RougeFixture) throws {
        let rouge = Rouge(kinds: f.types.compactMap { Rouge.Kind(name: $0) }, useStemmer: f.useStemmer)
        #expect(rouge.kinds.count == f.types.count)
        let scores = try rouge.scores(predictions: f.examples.map(\.prediction), targets: f.examples.map(\.targets))
        for (k, (example, expected)) in zip(scores, f.expected).enumerated() {
            for (score, e) in zip(example, expected) {
                #expect(close([score.precision, score.recall, score.fmeasure], e), "example \(k): \(score) vs \(e)")
            }
        }
    }

    /// nltk's PorterStemmer (NLTK_EXTENSIONS) on thousands of words, including every suffix rule applied
    /// to sample stems, the irregular forms, y-runs and digits.
    @Test func porterStemmerMatchesNLTK() throws {
        let f = try Fixtures.json(PorterFixture.self, "metrics/porter.json")
        #expect(f.mode == "NLTK_EXTENSIONS")
        #expect(f.words.count > 5000)
        var mismatches = [String]()
        for (word, stem) in zip(f.words, f.stems) where PorterStemmer.stem(word) != stem {
            mismatches.append("\(word): \(PorterStemmer.stem(word)) ≠ \(stem)")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(10))")
    }

    /// Only rouge-score's type names parse; orders above 6 are refused.
    @Test func kindNames() {
        #expect(Rouge.Kind(name: "rouge1") == .n(1))
        #expect(Rouge.Kind(name: "rougeLsum") == .lsum)
        #expect(Rouge.Kind(name: "rouge0") == nil)
        #expect(Rouge.Kind(name: "rougeX") == nil)
        #expect(throws: MetricsError.self) { try Rouge(kinds: [.n(8)]).scores(predictions: ["a"], targets: [["a"]]) }
    }
}
