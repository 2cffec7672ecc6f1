import Foundation

/// Hypotheses paired with their references, read from one of the layouts `lntune score` accepts.
public struct ScoringCorpus: Equatable, Sendable {
    public var hypotheses: [String]
    /// One non-empty list per hypothesis; lists may differ in length.
    public var references: [[String]]

    public init(hypotheses: [String], references: [[String]]) throws {
        try Corpus.check(hypotheses: hypotheses, references: references)
        self.hypotheses = hypotheses
        self.references = references
    }

    /// One hypothesis per line, and reference files with one reference per line each (sacreBLEU's
    /// layout: file k holds every segment's k-th reference; an empty line is an empty reference).
    public static func parallel(hypothesisPath: String, referencePaths: [String]) throws -> ScoringCorpus {
        let hypotheses = try TextFile.lines(atPath: hypothesisPath)
        var references = [[String]](repeating: [], count: hypotheses.count)
        for path in referencePaths {
            let lines = try TextFile.lines(atPath: path)
            guard lines.count == hypotheses.count else {
                throw MetricsError.lineCountMismatch(
                    path: path, lines: lines.count, expectedPath: hypothesisPath, expected: hypotheses.count)
            }
            for (k, line) in lines.enumerated() { references[k].append(line) }
        }
        return try ScoringCorpus(hypotheses: hypotheses, references: references)
    }

    /// One hypothesis per line, and the e2e-metrics multi-reference layout: each instance's references on
    /// consecutive lines, instances separated by a blank line. As e2e-metrics' `read_lines`, lines are
    /// stripped, and a file without any blank line is read as one reference per instance.
    public static func grouped(hypothesisPath: String, groupedPath: String) throws -> ScoringCorpus {
        let hypotheses = try TextFile.lines(atPath: hypothesisPath)
        let lines = try TextFile.lines(atPath: groupedPath)
        var groups: [[String]] = [[]]
        var groupStartLine = [1]
        for (index, raw) in lines.enumerated() {
            let line = PythonText.string(PythonText.stripped(PythonText.scalars(raw)[...]))
            if line.isEmpty {
                groups.append([])
                groupStartLine.append(index + 2)
            } else {
                groups[groups.count - 1].append(line)
            }
        }
        if groups.count > 1, groups[groups.count - 1].isEmpty {
            groups.removeLast()
            groupStartLine.removeLast()
        }
        if groups.count == 1 { groups = groups[0].map { [$0] } }
        if let empty = groups.firstIndex(where: \.isEmpty) {
            throw MetricsError.malformedLine(
                path: groupedPath, line: groupStartLine[empty],
                reason: "this blank line leaves instance \(empty + 1) without references; "
                    + "separate instances by exactly one blank line")
        }
        guard groups.count == hypotheses.count else {
            throw MetricsError.lineCountMismatch(
                path: groupedPath, lines: groups.count, expectedPath: hypothesisPath, expected: hypotheses.count)
        }
        return try ScoringCorpus(hypotheses: hypotheses, references: groups)
    }

    /// A JSON Lines file with one object per line holding `prediction` (string) and `references`
    /// (non-empty array of strings) — what `lntune generate` writes. Blank lines are skipped.
    public static func jsonl(path: String) throws -> ScoringCorpus {
        var hypotheses = [String](), references = [[String]]()
        for (index, line) in try TextFile.lines(atPath: path).enumerated() {
            if PythonText.stripped(PythonText.scalars(line)[...]).isEmpty { continue }
            let record: PredictionRecord
            do {
                record = try JSONDecoder().decode(PredictionRecord.self, from: Data(line.utf8))
            } catch {
                throw MetricsError.malformedLine(
                    path: path, line: index + 1,
                    reason: "expected a JSON object with \"prediction\" (string) and \"references\" "
                        + "(array of strings): \(Self.describe(error))")
            }
            guard !record.references.isEmpty else {
                throw MetricsError.malformedLine(path: path, line: index + 1, reason: "\"references\" is empty")
            }
            hypotheses.append(record.prediction)
            references.append(record.references)
        }
        guard !hypotheses.isEmpty else { throw MetricsError.emptyFile(path: path) }
        return try ScoringCorpus(hypotheses: hypotheses, references: references)
    }

    private struct PredictionRecord: Decodable {
        var prediction: String
        var references: [String]
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing key \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let where_ = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "wrong type at \"\(where_)\""
        case DecodingError.dataCorrupted: return "not valid JSON"
        default: return "\(error)"
        }
    }
}
