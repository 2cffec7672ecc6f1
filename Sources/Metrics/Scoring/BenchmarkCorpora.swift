import Foundation

/// Scoring corpora built from the real test references in `shared/datasets` (read at run time, never
/// copied): each instance's first reference plays the hypothesis and the others the references. Used by
/// the parity tests against the Python tools and by `lntune bench score`; eval/bench_metrics.py and
/// eval/reference/make_metric_fixtures.py build the same corpora in Python.
public enum BenchmarkCorpora {
    /// E2E `testset_w_refs.csv`: references grouped by identical MR in first-appearance order; MRs with a
    /// single reference are left out.
    public static func e2eTest(shared: URL) throws -> ScoringCorpus {
        let path = shared.appendingPathComponent("datasets/e2e/testset_w_refs.csv").path
        let rows = try CSVTable.rows(TextFile.read(path), path: path)
        var order = [String](), groups = [String: [String]]()
        for (index, row) in rows.enumerated().dropFirst() {
            guard row.count == 2 else {
                throw MetricsError.malformedLine(path: path, line: index + 1, reason: "expected 2 fields, found \(row.count)")
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
        struct Row: Decodable { var summary1, summary2, summary3: String }
        var hypotheses = [String](), references = [[String]]()
        for (index, line) in try TextFile.lines(atPath: path).enumerated() where !line.isEmpty {
            guard let row = try? JSONDecoder().decode(Row.self, from: Data(line.utf8)) else {
                throw MetricsError.malformedLine(path: path, line: index + 1, reason: "expected summary1…summary3")
            }
            hypotheses.append(row.summary1)
            references.append([row.summary2, row.summary3])
        }
        return try ScoringCorpus(hypotheses: hypotheses, references: references)
    }
}

/// A minimal RFC 4180 reader (quoted fields, doubled quotes, line breaks inside quotes, CRLF), enough
/// for the E2E CSVs and equal to Python's `csv.reader` on them.
enum CSVTable {
    static func rows(_ bytes: [UInt8], path: String) throws -> [[String]] {
        try TextFile.validateUTF8(bytes, path: path)
        var rows = [[String]](), row = [String](), field = [UInt8]()
        var inQuotes = false, quoted = false
        var i = 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quoted = false
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == 0x22 && field.isEmpty && !quoted {
                inQuotes = true
                quoted = true
            } else if b == 0x2C {
                endField()
            } else if b == 0x0A || b == 0x0D {
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                endField()
                rows.append(row)
                row = []
            } else {
                field.append(b)
            }
            i += 1
        }
        if inQuotes { throw MetricsError.malformedLine(path: path, line: rows.count + 1, reason: "unterminated quote") }
        if !field.isEmpty || !row.isEmpty || quoted {
            endField()
            rows.append(row)
        }
        return rows
    }
}
