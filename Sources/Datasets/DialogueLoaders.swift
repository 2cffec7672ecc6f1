import Foundation
import TextIO

extension JSONLines {
    /// Walks a JSON Lines file (blank lines skipped): a line that is not valid JSON (or not UTF-8), or whose
    /// record `body` rejects, is a row problem, so `.skip` resumes at the next line.
    static func forEachRecord(
        _ file: TextFile, log: inout BadRowLog, _ body: (JSONValue, JSONFields) throws -> Void
    ) throws {
        for line in JSONLines(file) {
            _ = try log.attempt {
                let value = try line.value.get()
                try body(value, JSONFields(value: value, file: file.name))
            }
        }
    }
}

/// DialogSum (Chen et al. 2021) JSON Lines: train/dev records `{fname, dialogue, summary, topic}`, test
/// records `{fname, dialogue, summary1, topic1, …, summary3, topic3}` (three references), hidden-test
/// records `{fname, dialogue}` (inputs only).
///
/// The first record fixes the layout of the file; a later record that lacks its summary field(s) is a
/// `missingField` row problem rather than a silently reference-less example. The dialogue is the source
/// verbatim (turns `#Person1#: …` separated by `\n`).
public enum DialogSumLoader {
    enum Layout {
        case single
        case numbered(Int)
        case inputsOnly
    }

    public static func load(_ url: URL, onBadRow: OnBadRow = .fail) throws -> LoadedDataset {
        try DatasetError.reportingInput { try load(TextFile(url: url), onBadRow: onBadRow) }
    }

    static func load(_ file: TextFile, onBadRow: OnBadRow) throws -> LoadedDataset {
        var log = BadRowLog(onBadRow)
        var layout: Layout?
        var examples: [Example] = []
        try JSONLines.forEachRecord(file, log: &log) { record, fields in
            let dialogue = try fields.nonEmptyString("dialogue")
            let current = layout ?? detectLayout(fields)
            var references: [String] = []
            var metadata = ["file": file.name, "line": String(record.line)]
            switch current {
            case .single:
                references = [try fields.nonEmptyString("summary")]
                if fields.has("topic") { metadata["topic"] = try fields.string("topic") }
            case .numbered(let count):
                references = try (1...count).map { try fields.nonEmptyString("summary\($0)") }
                if fields.has("topic1") { metadata["topic"] = try fields.string("topic1") }
            case .inputsOnly:
                // The first record had no summary; one that has one means summaries are missing elsewhere
                // (or the first record's key is misspelt), which would drop every reference silently.
                if fields.has("summary") || fields.has("summary1") {
                    throw DatasetError.badValue(
                        file: file.name, line: record.line, field: fields.has("summary") ? "summary" : "summary1",
                        reason: "this record has a summary but the file's first record has none (an inputs-only"
                            + " layout); give every record its summary")
                }
                if fields.has("topic") { metadata["topic"] = try fields.string("topic") }
            }
            layout = current
            let id = try fields.identifier("fname") ?? "\(file.stem)-\(record.line)"
            examples.append(Example(id: id, source: dialogue, references: references, metadata: metadata))
        }
        return LoadedDataset(examples: examples, skipped: log.skipped)
    }

    /// `summary` → one reference; `summary1`, `summary2`, … → as many as are numbered consecutively.
    static func detectLayout(_ fields: JSONFields) -> Layout {
        if fields.has("summary") { return .single }
        var count = 0
        while fields.has("summary\(count + 1)") { count += 1 }
        return count > 0 ? .numbered(count) : .inputsOnly
    }
}

/// SAMSum (Gliwa et al. 2019): one JSON array of `{"id", "dialogue", "summary"}` as released, or the
/// InstructDS-derived copy `{"instruction", "dialogue", "summary"}` whose fixed `instruction` is ignored.
///
/// Released dialogues separate turns by `\r\n` or `\n`; the loader normalises to `\n`, as the derived copy
/// already is, so a model sees the same text whichever copy it was trained on.
public enum SAMSumLoader {
    public static func load(_ url: URL, onBadRow: OnBadRow = .fail) throws -> LoadedDataset {
        try DatasetError.reportingInput { try load(TextFile(url: url), onBadRow: onBadRow) }
    }

    static func load(_ file: TextFile, onBadRow: OnBadRow) throws -> LoadedDataset {
        let records = try JSONValue.parseArray(file)
        var log = BadRowLog(onBadRow)
        var examples: [Example] = []
        for (index, record) in records.enumerated() {
            _ = try log.attempt {
                let fields = JSONFields(value: record, file: file.name)
                let dialogue = try fields.nonEmptyString("dialogue").replacingOccurrences(of: "\r\n", with: "\n")
                let summary = try fields.nonEmptyString("summary")
                let id = try fields.identifier("id") ?? "\(file.stem)-\(index + 1)"
                examples.append(
                    Example(
                        id: id, source: dialogue, references: [summary],
                        metadata: ["file": file.name, "line": String(record.line)]))
            }
        }
        return LoadedDataset(examples: examples, skipped: log.skipped)
    }
}

/// Any task in JSON Lines: `{"source": …, "target": …}` (one reference per line) or `{"source": …,
/// "references": [...]}`, with an optional `"id"`. Lines with identical sources are grouped into one example
/// in order of first appearance, as the E2E loader does.
public enum JSONLinesLoader {
    public static func load(_ url: URL, onBadRow: OnBadRow = .fail) throws -> LoadedDataset {
        try DatasetError.reportingInput { try load(TextFile(url: url), onBadRow: onBadRow) }
    }

    static func load(_ file: TextFile, onBadRow: OnBadRow) throws -> LoadedDataset {
        var log = BadRowLog(onBadRow)
        var grouper = ExampleGrouper(idPrefix: file.stem)
        try JSONLines.forEachRecord(file, log: &log) { record, fields in
            let source = try fields.nonEmptyString("source")
            let references: [String]
            switch (fields.has("target"), fields.has("references")) {
            case (true, false):
                references = [try fields.nonEmptyString("target")]
            case (false, true):
                let values = try fields.array("references")
                guard !values.isEmpty else {
                    throw DatasetError.emptyField(file: file.name, line: record.line, field: "references")
                }
                references = try values.map { value in
                    guard let text = value.string else {
                        throw DatasetError.badValue(
                            file: file.name, line: value.line, field: "references",
                            reason: "expected strings, found \(value.typeName)")
                    }
                    guard !text.allSatisfy(\.isWhitespace) else {
                        throw DatasetError.emptyField(file: file.name, line: value.line, field: "references")
                    }
                    return text
                }
            case (true, true):
                throw DatasetError.badValue(
                    file: file.name, line: record.line, field: "target",
                    reason: "give either \"target\" or \"references\", not both")
            case (false, false):
                throw DatasetError.missingField(file: file.name, line: record.line, field: "target")
            }
            grouper.add(
                key: source, source: source, references: references, id: try fields.identifier("id"),
                metadata: ["file": file.name, "line": String(record.line)])
        }
        return LoadedDataset(examples: grouper.examples, skipped: log.skipped)
    }
}
