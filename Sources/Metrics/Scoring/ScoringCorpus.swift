import Foundation
import TextIO

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
        let hypotheses = try Self.lines(atPath: hypothesisPath)
        var references = [[String]](repeating: [], count: hypotheses.count)
        for path in referencePaths {
            let lines = try Self.lines(atPath: path)
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
        let hypotheses = try Self.lines(atPath: hypothesisPath)
        let lines = try Self.lines(atPath: groupedPath)
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
        let file = try MetricsError.reportingInput { try TextFile(path: path) }
        var hypotheses = [String](), references = [[String]]()
        for line in JSONLines(file) {
            let value = try MetricsError.reportingInput { try line.value.get() }
            let (hypothesis, texts) = try predictionRecord(value, path: path, line: line.number)
            hypotheses.append(hypothesis)
            references.append(texts)
        }
        guard !hypotheses.isEmpty else { throw MetricsError.emptyFile(path: path) }
        return try ScoringCorpus(hypotheses: hypotheses, references: references)
    }

    /// `prediction` and `references` of one JSON Lines record, or a problem naming the line and key.
    private static func predictionRecord(_ value: JSONValue, path: String, line: Int) throws -> (String, [String]) {
        let expected = "expected a JSON object with \"prediction\" (string) and \"references\" (array of strings)"
        let problem = { (reason: String) in MetricsError.malformedLine(path: path, line: line, reason: reason) }
        guard value.isObject else { throw problem("\(expected): found \(value.typeName)") }
        for key in ["prediction", "references"] where value[key] == nil {
            throw problem("\(expected): missing key \"\(key)\"")
        }
        guard let hypothesis = value["prediction"]?.string else {
            throw problem("\(expected): wrong type at \"prediction\"")
        }
        guard let elements = value["references"]?.array else {
            throw problem("\(expected): wrong type at \"references\"")
        }
        var texts: [String] = []
        for (k, element) in elements.enumerated() {
            guard let text = element.string else { throw problem("\(expected): wrong type at \"references[\(k)]\"") }
            texts.append(text)
        }
        guard !texts.isEmpty else { throw problem("\"references\" is empty") }
        return (hypothesis, texts)
    }

    /// The lines of a scoring input by TextIO's line policy (CRLF reads as LF; a final newline adds no
    /// line; an empty line is an empty segment); a zero-byte file is an error, since nothing can be scored.
    static func lines(atPath path: String) throws -> [String] {
        let file = try MetricsError.reportingInput { try TextFile(path: path) }
        guard !file.bytes.isEmpty else { throw MetricsError.emptyFile(path: path) }
        return try MetricsError.reportingInput { try file.textLines() }
    }
}
