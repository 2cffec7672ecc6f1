import Foundation
import TextIO

/// DART v1.1.1 (Nan et al. 2021), in its JSON layout (`[{"tripleset": [[s, p, o], …], "annotations":
/// [{"source", "text"}]}]`) or its WebNLG-style XML layout (`<lex comment="SOURCE">`).
///
/// Linearisation, from Li & Liang's `LineByLineTriplesTextDataset`: `subject : property : object` joined by
/// ` | ` (no leading separator, unlike their WebNLG loader), with the property lower-cased (table-derived
/// properties are upper case, e.g. `JOINED` → `joined`). Every annotation is a reference; an empty one (the
/// test XML has one, `<lex … lid="Id2" />`) is a row problem: an error by default, dropped under `.skip`.
/// Examples are triplesets in file order — 2,768 in dev, 5,097 in test — as DART's own evaluation counts them.
public enum DARTLoader {
    public static func load(_ url: URL, onBadRow: OnBadRow = .fail) throws -> LoadedDataset {
        try DatasetError.reportingInput {
            switch url.pathExtension.lowercased() {
            case "json": return try loadJSON(TextFile(url: url), onBadRow: onBadRow)
            case "xml": return try loadXML(TextFile(url: url), onBadRow: onBadRow)
            default: throw TextInputError.unreadable(file: url.path, reason: "DART files are .json or .xml")
            }
        }
    }

    static func linearise(_ triples: [(String, String, String)]) -> String {
        triples.map { "\($0.0) : \($0.1.lowercased()) : \($0.2)" }.joined(separator: " | ")
    }

    /// The unique annotation sources in order of first appearance, e.g. `webnlg` or `e2e,WikiSQL_lily`.
    static func sourceList(_ sources: [String]) -> String {
        var seen: Set<String> = []
        return sources.filter { seen.insert($0).inserted }.joined(separator: ",")
    }

    /// The example for the tripleset at `index` (0-based) of `file`, whichever layout it came from.
    private static func example(
        _ file: TextFile, _ index: Int, line: Int, _ triples: [(String, String, String)], _ references: [String],
        sources: [String], extra: [String: String]
    ) -> Example {
        let metadata = ["file": file.name, "line": String(line), "sources": sourceList(sources)]
        return Example(
            id: "\(file.stem)-\(index + 1)", source: linearise(triples), references: references,
            metadata: metadata.merging(extra) { kept, _ in kept })
    }

    static func loadJSON(_ file: TextFile, onBadRow: OnBadRow) throws -> LoadedDataset {
        let records = try JSONValue.parseArray(file)
        var log = BadRowLog(onBadRow)
        var examples: [Example] = []
        for (index, record) in records.enumerated() {
            do {
                let fields = JSONFields(value: record, file: file.name)
                let triples = try fields.array("tripleset").map { try jsonTriple($0, file: file.name) }
                guard !triples.isEmpty else {
                    throw DatasetError.emptyField(file: file.name, line: record.line, field: "tripleset")
                }
                let annotations = try fields.array("annotations")
                guard !annotations.isEmpty else {
                    throw DatasetError.emptyField(file: file.name, line: record.line, field: "annotations")
                }
                var references: [String] = []
                var sources: [String] = []
                for annotation in annotations {
                    do {
                        let a = JSONFields(value: annotation, file: file.name)
                        references.append(try a.nonEmptyString("text"))
                        if let source = try a.identifier("source") { sources.append(source) }
                    } catch let error as DatasetError {
                        try log.record(error)
                    }
                }
                // Every annotation was bad and has been recorded as skipped.
                guard !references.isEmpty else { continue }
                var extra: [String: String] = [:]
                if case .bool(let extended)? = record["subtree_was_extended"]?.kind {
                    extra["subtree_was_extended"] = String(extended)
                }
                examples.append(
                    example(file, index, line: record.line, triples, references, sources: sources, extra: extra))
            } catch let error as DatasetError {
                try log.record(error)
            }
        }
        return LoadedDataset(examples: examples, skipped: log.skipped)
    }

    private static func jsonTriple(_ value: JSONValue, file: String) throws -> (String, String, String) {
        guard let parts = value.array, parts.count == 3, let s = parts[0].string, let p = parts[1].string,
            let o = parts[2].string
        else {
            throw DatasetError.badValue(
                file: file, line: value.line, field: "tripleset", reason: "a triple must be three strings [s, p, o]")
        }
        return try WebNLGLoader.requireTripleParts((s, p, o), field: "tripleset", file: file, line: value.line)
    }

    static func loadXML(_ file: TextFile, onBadRow: OnBadRow) throws -> LoadedDataset {
        var log = BadRowLog(onBadRow)
        var examples: [Example] = []
        for (index, entry) in try BenchmarkXML.parse(file).enumerated() {
            do {
                guard !entry.triples.isEmpty else {
                    throw DatasetError.missingField(file: file.name, line: entry.line, field: "mtriple")
                }
                let triples = try entry.triples.map {
                    try WebNLGLoader.splitTriple($0.text, file: file.name, line: $0.line)
                }
                guard !entry.lexicalisations.isEmpty else {
                    throw DatasetError.missingField(file: file.name, line: entry.line, field: "lex")
                }
                var references: [String] = []
                var sources: [String] = []
                for lex in entry.lexicalisations {
                    if lex.text.allSatisfy(\.isWhitespace) {
                        try log.record(DatasetError.emptyField(file: file.name, line: lex.line, field: "lex"))
                        continue
                    }
                    references.append(lex.text)
                    if let source = lex.attributes["comment"] { sources.append(source) }
                }
                // Every lexicalisation was empty and has been recorded as skipped.
                guard !references.isEmpty else { continue }
                let extra = entry.attributes.filter { $0.key == "category" || $0.key == "eid" }
                examples.append(
                    example(file, index, line: entry.line, triples, references, sources: sources, extra: extra))
            } catch let error as DatasetError {
                try log.record(error)
            }
        }
        return LoadedDataset(examples: examples, skipped: log.skipped)
    }
}
