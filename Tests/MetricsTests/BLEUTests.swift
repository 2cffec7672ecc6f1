import Foundation
import TestSupport
import Testing

import Metrics

struct BLEUCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Options: Decodable, Sendable {
        var tokenize: String
        var lowercase: Bool
        var smooth: String
        var smoothValue: Double?
        var effectiveOrder: Bool
        /// sacreBLEU's `max_ngram_order`, given by the option cases only (4 otherwise).
        var maxNGramOrder: Int?
    }
    var name: String
    var corpus: String
    var options: Options
    var score: Double
    /// sacreBLEU's `BLEUScore.counts`/`totals`: for add-k, `compute_bleu` has added k to orders ≥ 2 in place.
    var counts: [Double]
    var totals: [Double]
    var sysLen: Int
    var refLen: Int
    var bp: Double
    var precisions: [Double]
    var signature: String
    var segmentStatistics: [[Int]]
    var sentenceScores: [Double]
    var testDescription: String { name }

    func bleu() throws -> BLEU {
        BLEU(
            tokenizer: try #require(BLEUTokenizer(rawValue: options.tokenize)), lowercase: options.lowercase,
            smoothing: try #require(BLEU.Smoothing(rawValue: options.smooth)), smoothValue: options.smoothValue,
            effectiveOrder: options.effectiveOrder, maxOrder: options.maxNGramOrder ?? 4)
    }
}

struct TokenizerCase: Decodable, Sendable, CustomTestStringConvertible {
    var tokenize: String
    var lowercase: Bool
    var inputs: [String]
    var outputs: [String]
    var testDescription: String { "\(tokenize) lowercase=\(lowercase)" }
}

private let bleuTable = FixtureTable<CorpusTable<BLEUCase>>("metrics/bleu.json")
private func bleuCases() throws -> [BLEUCase] { try bleuTable.cases(count: 200) { $0.cases } }
private func tokenizerCases() throws -> [TokenizerCase] {
    try FixtureTable<[TokenizerCase]>("metrics/bleu_tokenizers.json").cases(count: 8) { $0 }
}

struct BLEUTests {
    /// Each tokenizer's token sequence equals sacreBLEU's `_preprocess_segment(s).split()` for every case
    /// (digits around , . -, entities, <skipped>, Unicode spaces, punctuation, symbols, case mappings),
    /// both through the pass-by-pass `tokenize` and through the streaming path scoring uses.
    @Test(arguments: try tokenizerCases())
    func tokenizerMatchesSacreBLEU(_ c: TokenizerCase) throws {
        let tokenizer = try #require(BLEUTokenizer(rawValue: c.tokenize))
        for (input, expected) in zip(c.inputs, c.outputs) {
            var text = PythonText.scalars(input)
            if c.lowercase { text = PythonText.lowercased(text) }
            let tokenized = tokenizer.tokenize(PythonText.rstripped(text))
            let words = PythonText.splitRanges(tokenized).map { PythonText.string(tokenized[$0]) }
            let expectedScalars = PythonText.scalars(expected)
            let expectedWords = PythonText.splitRanges(expectedScalars).map { PythonText.string(expectedScalars[$0]) }
            #expect(words == expectedWords, "input \(input.debugDescription)")
            #expect(tokenizer.tokens(input, lowercase: c.lowercase) == expectedWords, "input \(input.debugDescription)")
        }
    }

    /// Per-segment sufficient statistics are the same integers as sacreBLEU's; corpus BLEU, precisions,
    /// brevity penalty equal to 1e-9; the signature string is identical.
    @Test(arguments: try bleuCases())
    func corpusBLEUMatchesSacreBLEU(_ c: BLEUCase) throws {
        let corpus = try #require(bleuTable.value().corpora[c.corpus])
        let bleu = try c.bleu()
        let stats = try bleu.segmentStatistics(hypotheses: corpus.hypotheses, references: corpus.references)
        let flat = stats.map { [$0.hypothesisLength, $0.referenceLength] + $0.matches + $0.totals }
        #expect(flat == c.segmentStatistics)
        let score = try bleu.corpusScore(hypotheses: corpus.hypotheses, references: corpus.references)
        #expect(close(score.score, c.score), "BLEU \(score.score) vs \(c.score)")
        // Undo sacreBLEU's in-place add-k smoothing of its reported counts (only applied when some order matched).
        let k = c.options.smooth == "add-k" && c.counts.contains { $0 != 0 } ? (c.options.smoothValue ?? 1) : 0
        let unsmooth = { (values: [Double]) in values.enumerated().map { $0.offset == 0 ? $0.element : $0.element - k }
        }
        #expect(score.statistics.matches.map(Double.init) == unsmooth(c.counts))
        #expect(score.statistics.totals.map(Double.init) == unsmooth(c.totals))
        #expect(score.statistics.hypothesisLength == c.sysLen && score.statistics.referenceLength == c.refLen)
        #expect(close(score.brevityPenalty, c.bp))
        #expect(close(score.precisions, c.precisions), "\(score.precisions) vs \(c.precisions)")
        #expect(bleu.signature(references: corpus.references) == c.signature)
    }

    /// Sentence BLEU (sacreBLEU's `sentence_bleu`: effective order on) per segment.
    @Test(arguments: try bleuCases())
    func sentenceBLEUMatchesSacreBLEU(_ c: BLEUCase) throws {
        let corpus = try #require(bleuTable.value().corpora[c.corpus])
        var bleu = try c.bleu()
        bleu.effectiveOrder = true
        for (k, expected) in c.sentenceScores.enumerated() {
            let score = try bleu.sentenceScore(hypothesis: corpus.hypotheses[k], references: corpus.references[k])
            #expect(close(score.score, expected), "segment \(k): \(score.score) vs \(expected)")
        }
    }

    /// Bad input is reported, not crashed on.
    @Test func rejectsMismatchedAndEmptyInput() {
        #expect(throws: MetricsError.countMismatch(hypotheses: 2, references: 1)) {
            try BLEU().corpusScore(hypotheses: ["a", "b"], references: [["a"]])
        }
        #expect(throws: MetricsError.emptyCorpus) { try BLEU().corpusScore(hypotheses: [], references: []) }
        #expect(throws: MetricsError.noReferences(segment: 1)) {
            try BLEU().corpusScore(hypotheses: ["a", "b"], references: [["a"], []])
        }
        #expect(throws: MetricsError.self) { try BLEU(maxOrder: 9).corpusScore(hypotheses: ["a"], references: [["a"]]) }
    }
}

extension BLEUTests {
    /// A corpus large enough to be split over the cores gives the same per-segment statistics as the
    /// fixture (the random corpus repeated four times, 480 segments).
    @Test func statisticsDoNotDependOnChunking() throws {
        let table = try bleuTable.value()
        let c = try #require(table.cases.first { $0.corpus == "random" })
        let corpus = try #require(table.corpora["random"])
        let hypotheses = Array(repeating: corpus.hypotheses, count: 4).flatMap { $0 }
        let references = Array(repeating: corpus.references, count: 4).flatMap { $0 }
        let stats = try c.bleu().segmentStatistics(hypotheses: hypotheses, references: references)
        let flat = stats.map { [$0.hypothesisLength, $0.referenceLength] + $0.matches + $0.totals }
        #expect(flat == Array(repeating: c.segmentStatistics, count: 4).flatMap { $0 })
    }
}
