import Datasets
import Foundation
import LNTune

/// Scoring corpora built from the real test references in `shared/datasets` (read at run time, never
/// copied): each instance's first reference plays the hypothesis and the others the references. Used by
/// `lntune bench score` and by the metric parity tests against the Python tools; eval/bench_metrics.py and
/// eval/reference/make_metric_fixtures.py build the same corpora in Python. The files are read by the
/// dataset loaders training uses, so the corpora group references exactly as training and evaluation do.
public enum BenchmarkCorpora {
    /// E2E `testset_w_refs.csv`: references grouped by identical MR in first-appearance order; MRs with a
    /// single reference are left out.
    public static func e2eTest(shared: URL) throws -> ScoringCorpus {
        let file = shared.appendingPathComponent("datasets/e2e/testset_w_refs.csv")
        return try firstReferenceAgainstOthers(E2ELoader.loadCSV(file).examples)
    }

    /// DialogSum `dialogsum.test.jsonl`: `summary1` against `summary2` and `summary3`.
    public static func dialogSumTest(shared: URL) throws -> ScoringCorpus {
        let file = shared.appendingPathComponent("datasets/dialogsum/dialogsum.test.jsonl")
        return try firstReferenceAgainstOthers(DialogSumLoader.load(file).examples)
    }

    /// The examples with two or more references, the first as hypothesis and the rest as its references.
    static func firstReferenceAgainstOthers(_ examples: [Example]) throws -> ScoringCorpus {
        let multi = examples.map(\.references).filter { $0.count >= 2 }
        return try ScoringCorpus(hypotheses: multi.map { $0[0] }, references: multi.map { Array($0.dropFirst()) })
    }
}
