import Foundation
import Metrics
import TestSupport
import Testing

// The sacreBLEU and rouge-score options of `lntune score` (issue 17) through `ScoringOptions` and `Scorer`,
// against the same fixtures the metric tests read: what the CLI passes on reaches each metric and its signature.

private let bleuTable = FixtureTable<CorpusTable<BLEUCase>>("metrics/bleu.json")
private let chrfTable = FixtureTable<CorpusTable<CHRFCase>>("metrics/chrf.json")
private let terTable = FixtureTable<CorpusTable<TERCase>>("metrics/ter.json")

/// The cases whose options `lntune score` can express (chrF's character order is fixed at 6, its word order
/// set by the metric name).
private func bleuCases() throws -> [BLEUCase] { try bleuTable.cases(count: 200) { $0.cases } }
private func chrfCases() throws -> [CHRFCase] {
    try chrfTable.cases(count: 48) { $0.cases }.filter { $0.options.charOrder == 6 }
}
private func terCases() throws -> [TERCase] { try terTable.cases(count: 52) { $0.cases } }

private func corpus(_ table: FixtureTable<CorpusTable<some Decodable & Sendable>>, _ name: String) throws
    -> ScoringCorpus
{
    let corpus = try #require(try table.value().corpora[name])
    return try ScoringCorpus(hypotheses: corpus.hypotheses, references: corpus.references)
}

struct ScoringOptionsTests {
    /// `--tokenize --lowercase --smooth --smooth-value --effective-order --max-ngram-order` give sacreBLEU's corpus
    /// BLEU and signature, and per example its sentence BLEU (effective order on, the other settings kept).
    @Test(arguments: try bleuCases())
    func bleuOptionsReachTheScore(_ c: BLEUCase) throws {
        var options = ScoringOptions(
            metrics: [.bleu], tokenizer: try #require(BLEUTokenizer(rawValue: c.options.tokenize)),
            lowercase: c.options.lowercase, smoothing: try #require(BLEU.Smoothing(rawValue: c.options.smooth)),
            perExample: true)
        options.smoothValue = c.options.smoothValue
        options.effectiveOrder = c.options.effectiveOrder
        options.maxNGramOrder = c.options.maxNGramOrder ?? 4
        let report = try Scorer.score(try corpus(bleuTable, c.corpus), options: options)
        let bleu = try #require(report.metrics.first)
        #expect(close(bleu.score, c.score), "\(bleu.score) vs \(c.score)")
        #expect(bleu.signature == c.signature)
        #expect(bleu.details.keys.filter { $0.hasPrefix("precision") }.count == options.maxNGramOrder)
        let sentences = try #require(report.perExample).map { $0["bleu"] ?? .nan }
        #expect(close(sentences, c.sentenceScores), "\(sentences) vs \(c.sentenceScores)")
    }

    /// `--chrf-beta --chrf-whitespace --chrf-eps-smoothing --lowercase` give sacreBLEU's chrF/chrF++, name and
    /// signature.
    @Test(arguments: try chrfCases())
    func chrfOptionsReachTheScore(_ c: CHRFCase) throws {
        var options = ScoringOptions(metrics: [c.options.wordOrder == 2 ? .chrfPlusPlus : .chrf])
        options.lowercase = c.options.lowercase
        options.chrfBeta = c.options.beta
        options.chrfWhitespace = c.options.whitespace
        options.chrfEpsSmoothing = c.options.epsSmoothing
        let report = try Scorer.score(try corpus(chrfTable, c.corpus), options: options)
        let chrf = try #require(report.metrics.first)
        #expect(close(chrf.score, c.score), "\(chrf.score) vs \(c.score)")
        #expect(chrf.name == c.name_ && chrf.signature == c.signature)
    }

    /// `--ter-normalized --ter-no-punct --ter-asian-support --ter-case-sensitive` give sacreBLEU's TER and
    /// signature.
    @Test(arguments: try terCases())
    func terOptionsReachTheScore(_ c: TERCase) throws {
        var options = ScoringOptions(metrics: [.ter])
        options.terNormalized = c.options.normalized
        options.terNoPunctuation = c.options.noPunctuation
        options.terAsianSupport = c.options.asianSupport
        options.terCaseSensitive = c.options.caseSensitive
        let report = try Scorer.score(try corpus(terTable, c.corpus), options: options)
        let ter = try #require(report.metrics.first)
        #expect(close(ter.score, c.score), "\(ter.score) vs \(c.score)")
        #expect(ter.signature == c.signature)
    }

    /// Values without a meaningful score are refused naming the option: a negative or non-finite smoothing
    /// value, a value for a method that takes none, an order outside 1…6, beta 0, a level outside (0, 1).
    @Test func invalidValuesNameTheirOption() {
        func refused(_ option: String, _ change: (inout ScoringOptions) -> Void) {
            var options = ScoringOptions(metrics: [.bleu])
            change(&options)
            #expect {
                try options.validate()
            } throws: { error in
                guard case .invalidOption(let what, _, _)? = error as? MetricsError else { return false }
                return what == option
            }
        }
        refused("--smooth-value") {
            $0.smoothing = .floor
            $0.smoothValue = -0.1
        }
        refused("--smooth-value") {
            $0.smoothing = .addK
            $0.smoothValue = .nan
        }
        refused("--smooth-value") { $0.smoothValue = 0.5 }  // exp takes no value
        refused("--max-ngram-order") { $0.maxNGramOrder = 0 }
        refused("--max-ngram-order") { $0.maxNGramOrder = 7 }
        refused("--chrf-beta") { $0.chrfBeta = 0 }
        for level in [0, 1, 1.5, -0.5, .nan] { refused("--confidence") { $0.confidence = level } }
    }

    /// Intervals at 90, 95 and 99 % from the same resamples nest (the percentiles of one set of means), and the
    /// level shows in the signature, the details and the table.
    @Test func confidenceLevelsNestAndShow() throws {
        let corpus = try ScoringCorpus(
            hypotheses: (0..<40).map { "the cat \($0 % 7) sat on mat \($0 % 3)" },
            references: (0..<40).map { [["the cat", "\($0 % 5)", "sat on the mat"].joined(separator: " ")] })
        var intervals: [(low: Double, high: Double)] = []
        for (level, percent) in [(0.9, "90"), (0.95, "95"), (0.99, "99")] {
            var options = ScoringOptions(metrics: [.rouge], bootstrapSamples: 500, seed: 7)
            options.confidence = level
            let report = try Scorer.score(corpus, options: options)
            let rouge1 = try #require(report.metrics.first)
            #expect(rouge1.signature.hasSuffix("|bs:500|ci:\(level)|seed:7"), "\(rouge1.signature)")
            #expect(rouge1.details["confidence"] == level)
            #expect(report.table().contains("\(percent)% CI of F"), "\(report.table())")
            intervals.append(
                (try #require(rouge1.details["fmeasure_low"]), try #require(rouge1.details["fmeasure_high"])))
        }
        #expect(intervals[0].low >= intervals[1].low && intervals[1].low >= intervals[2].low)
        #expect(intervals[0].high <= intervals[1].high && intervals[1].high <= intervals[2].high)
        #expect(intervals[2].high - intervals[2].low > intervals[0].high - intervals[0].low)
    }
}
