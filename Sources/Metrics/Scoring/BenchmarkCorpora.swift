import Foundation
import TextIO

/// Scoring corpora built from the real test references in `shared/datasets` (read at run time, never
/// copied): each instance's first reference plays the hypothesis and the others the references. Used by
/// the parity tests against the Python tools and by `lntune bench score`; eval/bench_metrics.py and
/// eval/reference/make_metric_fixtures.py build the same corpora in Python.
public enum BenchmarkCorpora {
    /// E2E `testset_w_refs.csv`: references grouped by identical MR in first-appearance order; MRs with a
    /// single reference are left out.
    public static func e2eTest(shared: URL) throws -> ScoringCorpus {
        let path = shared.appendingPathComponent("datasets/e2e/testset_w_refs.csv").path
        let rows = try MetricsError.reportingInput { try CSVReader.records(TextFile(path: path)) }
        var order = [String](), groups = [String: [String]]()
        for (line, row) in rows.dropFirst() {
            guard row.count == 2 else {
                throw MetricsError.malformedLine(
                    path: path, line: line, reason: "expected 2 fields, found \(row.count)")
            }
            if groups[row[0]] == nil { order.append(row[0]) }
            groups[row[0], default: []].append(row[1])
        }
        let multi = order.compactMap { groups[$0] }.filter { $0.count >= 2 }
        return try ScoringCorpus(hypotheses: multi.map { $0[0] }, references: multi.map { Array($0.dropFirst()) })
    }

    /// DialogSum `dialogsum.test.jsonl`: `summary1` against `summary2` and `summary3`.
    public static func dialogSumTest(shared: URL) throws -> ScoringCorpus {
        let path = shared.appendingPathComponent("datasets/dialogsum/dialogsum.test.jsonl").path
        let file = try MetricsError.reportingInput { try TextFile(path: path) }
        var hypotheses = [String](), references = [[String]]()
        for line in JSONLines(file) {
            let record = try MetricsError.reportingInput { try line.value.get() }
            guard let first = record["summary1"]?.string, let second = record["summary2"]?.string,
                let third = record["summary3"]?.string
            else {
                throw MetricsError.malformedLine(path: path, line: line.number, reason: "expected summary1…summary3")
            }
            hypotheses.append(first)
            references.append([second, third])
        }
        return try ScoringCorpus(hypotheses: hypotheses, references: references)
    }
}
