import Foundation
import Metrics
import TestSupport
import Testing

struct CHRFCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Options: Decodable, Sendable {
        var charOrder, wordOrder, beta: Int
        var lowercase, whitespace, epsSmoothing: Bool
    }
    var name: String
    var corpus: String
    var options: Options
    var score: Double
    var name_: String
    var signature: String
    var segmentStatistics: [[Int]]
    var testDescription: String { name }
}

struct TERCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Options: Decodable, Sendable { var normalized, noPunctuation, caseSensitive, asianSupport: Bool }
    var name: String
    var corpus: String
    var options: Options
    var score: Double
    var signature: String
    /// [edits, average reference length] per segment.
    var segmentStatistics: [[Double]]
    var testDescription: String { name }
}

struct NISTCIDErCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var corpus: String
    var tokenize: String
    var lowercase: Bool
    var nist: Double
    /// nil where nltk raises ZeroDivisionError (hypotheses shorter than 5 tokens).
    var sentenceNist: [Double?]
    var cider: Double
    var ciderSegments: [Double]
    var testDescription: String { name }
}

private let chrfTable = FixtureTable<CorpusTable<CHRFCase>>("metrics/chrf.json")
private let terTable = FixtureTable<CorpusTable<TERCase>>("metrics/ter.json")
private let nistCiderTable = FixtureTable<CorpusTable<NISTCIDErCase>>("metrics/nist_cider.json")
private func nistCiderCases() throws -> [NISTCIDErCase] { try nistCiderTable.cases(count: 12) { $0.cases } }

struct SuiteTests {
    /// chrF/chrF++ statistics are sacreBLEU's integers, the corpus score equal to 1e-9, same signature.
    @Test(arguments: try chrfTable.cases(count: 48) { $0.cases })
    func chrfMatchesSacreBLEU(_ c: CHRFCase) throws {
        let corpus = try #require(chrfTable.value().corpora[c.corpus])
        let o = c.options
        let chrf = CHRF(
            charOrder: o.charOrder, wordOrder: o.wordOrder, beta: o.beta, lowercase: o.lowercase,
            whitespace: o.whitespace, epsSmoothing: o.epsSmoothing)
        #expect(
            try chrf.segmentStatistics(hypotheses: corpus.hypotheses, references: corpus.references)
                == c.segmentStatistics)
        let score = try chrf.corpusScore(hypotheses: corpus.hypotheses, references: corpus.references)
        #expect(close(score, c.score), "\(score) vs \(c.score)")
        #expect(chrf.name == c.name_)
        #expect(chrf.signature(references: corpus.references) == c.signature)
    }

    /// TER edit counts and average reference lengths per segment, and corpus TER, equal sacreBLEU's
    /// (shifts within and beyond the 50-word distance, the beam for extreme length ratios, empty input), with
    /// every tokenizer option including asian_support on CJK, kana and full-width punctuation.
    @Test(arguments: try terTable.cases(count: 52) { $0.cases })
    func terMatchesSacreBLEU(_ c: TERCase) throws {
        let corpus = try #require(terTable.value().corpora[c.corpus])
        let ter = TER(
            normalized: c.options.normalized, noPunctuation: c.options.noPunctuation,
            caseSensitive: c.options.caseSensitive, asianSupport: c.options.asianSupport)
        let stats = try ter.segmentStatistics(hypotheses: corpus.hypotheses, references: corpus.references)
        for (k, (s, e)) in zip(stats, c.segmentStatistics).enumerated() {
            #expect(Double(s.edits) == e[0] && close(s.averageReferenceLength, e[1]), "segment \(k): \(s) vs \(e)")
        }
        #expect(close(TER.score(stats), c.score), "\(TER.score(stats)) vs \(c.score)")
        #expect(ter.signature(references: corpus.references) == c.signature)
    }

    /// NIST equals nltk's corpus_nist and sentence_nist on the same tokens (where nltk does not raise).
    @Test(arguments: try nistCiderCases())
    func nistMatchesNLTK(_ c: NISTCIDErCase) throws {
        let corpus = try #require(nistCiderTable.value().corpora[c.corpus])
        let nist = NIST(tokenizer: try #require(BLEUTokenizer(rawValue: c.tokenize)), lowercase: c.lowercase)
        let score = try nist.corpusScore(hypotheses: corpus.hypotheses, references: corpus.references)
        #expect(close(score, c.nist), "\(score) vs \(c.nist)")
        for (k, expected) in c.sentenceNist.enumerated() {
            let sentence = try nist.sentenceScore(hypothesis: corpus.hypotheses[k], references: corpus.references[k])
            if let expected {
                #expect(close(sentence, expected), "segment \(k): \(sentence) vs \(expected)")
            } else {
                #expect(sentence.isFinite && sentence >= 0, "segment \(k) (nltk raises): \(sentence)")
            }
        }
    }

    /// CIDEr-D equals pycocoevalcap's Cider, corpus and per segment.
    @Test(arguments: try nistCiderCases())
    func ciderMatchesPycocoevalcap(_ c: NISTCIDErCase) throws {
        let corpus = try #require(nistCiderTable.value().corpora[c.corpus])
        let cider = CIDEr(tokenizer: try #require(BLEUTokenizer(rawValue: c.tokenize)), lowercase: c.lowercase)
        let (score, segments) = try cider.scores(hypotheses: corpus.hypotheses, references: corpus.references)
        #expect(close(score, c.cider), "\(score) vs \(c.cider)")
        #expect(close(segments, c.ciderSegments))
    }
}
