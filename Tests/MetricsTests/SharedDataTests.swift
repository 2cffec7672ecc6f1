import Benchmarks
import Foundation
import Metrics
import Testing
import TestSupport

struct SharedExpected: Decodable, Sendable {
    var segments: Int
    var bleu: Double
    var bleuCounts: [Int]
    var bleuTotals: [Int]
    var bleuSysLen: Int
    var bleuRefLen: Int
    var bleuSignature: String
    var chrf: Double
    var chrfpp: Double
    var ter: Double
    var rougeStemmedMeanF: [String: Double]
    var nist: Double
    var cider: Double
}

/// Parity on real data: the E2E and DialogSum test references (first reference against the others), read
/// from ../shared at run time; the expected numbers come from the Python tools
/// (eval/reference/make_metric_fixtures.py). Skipped, with a message, when ../shared is absent.
struct SharedDataTests {
    @Test(Fixtures.needsShared("datasets", for: "metric parity on real references"), arguments: ["e2e", "dialogsum"])
    func realReferencesMatchPythonTools(_ name: String) throws {
        let shared = try #require(Fixtures.shared)
        let table = try Fixtures.json([String: SharedExpected].self, "metrics/shared_expected.json")
        #expect(table.keys.sorted() == ["dialogsum", "e2e"])  // no corpus in the fixture goes unchecked
        let expected = try #require(table[name])
        let corpus =
            try name == "e2e"
            ? BenchmarkCorpora.e2eTest(shared: shared) : BenchmarkCorpora.dialogSumTest(shared: shared)
        let (h, r) = (corpus.hypotheses, corpus.references)
        #expect(h.count == expected.segments)

        let bleu = try BLEU().corpusScore(hypotheses: h, references: r)
        #expect(bleu.statistics.matches == expected.bleuCounts && bleu.statistics.totals == expected.bleuTotals)
        #expect(bleu.statistics.hypothesisLength == expected.bleuSysLen)
        #expect(bleu.statistics.referenceLength == expected.bleuRefLen)
        #expect(close(bleu.score, expected.bleu))
        #expect(BLEU().signature(references: r) == expected.bleuSignature)
        #expect(close(try CHRF().corpusScore(hypotheses: h, references: r), expected.chrf))
        #expect(close(try CHRF.plusPlus.corpusScore(hypotheses: h, references: r), expected.chrfpp))
        #expect(close(try TER().corpusScore(hypotheses: h, references: r), expected.ter))
        #expect(close(try NIST().corpusScore(hypotheses: h, references: r), expected.nist))
        #expect(close(try CIDEr().scores(hypotheses: h, references: r).corpus, expected.cider))

        let rouge = Rouge(useStemmer: true)
        let means = Rouge.mean(try rouge.scores(predictions: h, targets: r))
        for (kind, mean) in zip(rouge.kinds, means) {
            let e = try #require(expected.rougeStemmedMeanF[kind.description])
            #expect(close(mean.fmeasure, e), "\(kind): \(mean.fmeasure) vs \(e)")
        }
    }
}
