import Foundation
import TextIO

/// The WebNLG Challenge 2017 data (Gardent et al. 2017) as Li & Liang (2021) use it.
///
/// Linearisation, taken from their `LineByLineWebNLGTextDataset`: every triple of `<modifiedtripleset>`
/// contributes ` | subject : property : object`, so the source starts with ` | `. Entities keep their
/// underscores (`Abilene,_Texas`) and quotes, exactly as in the XML and their `dev.json`. Only
/// lexicalisations with `comment="good"` are references (they train and score on those); an entry whose
/// lexicalisations are all `toFix` is left out and counted in `filtered`. An entry with no `<lex>` at all
/// (`testdata_no_lex.xml`) is kept as an input without references.
public enum WebNLGLoader {
    /// The ten categories of the training data; test entries of the other five are "unseen".
    public static let seenCategories: Set<String> = [
        "Airport", "Astronaut", "Building", "City", "ComicsCharacter", "Food", "Monument", "SportsTeam",
        "University", "WrittenWork",
    ]

    static let toFixOnly = "WebNLG entries with only toFix lexicalisations"

    /// Loads a folder (every `*.xml` below it, in path order — the order of Li & Liang's JSON files), a
    /// single XML file, or Li & Liang's `dev.json`.
    public static func load(_ url: URL, onBadRow: OnBadRow = .fail) throws -> LoadedDataset {
        try DatasetError.reportingInput {
            if url.pathExtension.lowercased() == "json" {
                return try loadJSON(TextFile(url: url), onBadRow: onBadRow)
            }
            return LoadedDataset.concatenating(
                try xmlFiles(at: url).map { file, relative in
                    try loadXML(TextFile(url: file), idPrefix: relative, onBadRow: onBadRow)
                })
        }
    }

    /// The XML files at `url` with their path relative to it (without extension) for example ids.
    static func xmlFiles(at url: URL) throws -> [(URL, String)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TextInputError.unreadable(file: url.path, reason: "no such file or folder")
        }
        guard isDirectory.boolValue else { return [(url, url.deletingPathExtension().lastPathComponent)] }
        let root = url.standardizedFileURL.path
        var found: [(URL, String)] = []
        for case let file as URL in FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) ?? .init()
        where file.pathExtension.lowercased() == "xml" {
            var relative = file.standardizedFileURL.deletingPathExtension().path
            if relative.hasPrefix(root + "/") { relative.removeFirst(root.count + 1) }
            found.append((file, relative))
        }
        guard !found.isEmpty else { throw TextInputError.unreadable(file: url.path, reason: "no .xml files in folder") }
        return found.sorted { $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
    }

    static func loadXML(_ file: TextFile, idPrefix: String, onBadRow: OnBadRow) throws -> LoadedDataset {
        var log = BadRowLog(onBadRow)
        var examples: [Example] = []
        var filtered = 0
        for (index, entry) in try BenchmarkXML.parse(file).enumerated() {
            let eid = entry.attributes["eid"] ?? "entry\(index + 1)"
            let source: String? = try log.attempt {
                guard !entry.triples.isEmpty else {
                    throw DatasetError.missingField(file: file.name, line: entry.line, field: "mtriple")
                }
                return try entry.triples.map { try splitTriple($0.text, file: file.name, line: $0.line) }
                    .map(lineariseTriple).joined()
            }
            guard let source else { continue }
            var references: [String] = []
            for lex in entry.lexicalisations where lex.attributes["comment"] == "good" {
                _ = try log.attempt {
                    guard !lex.text.allSatisfy(\.isWhitespace) else {
                        throw DatasetError.emptyField(file: file.name, line: lex.line, field: "lex")
                    }
                    references.append(lex.text)
                }
            }
            if references.isEmpty && !entry.lexicalisations.isEmpty {
                filtered += 1
                continue
            }
            var metadata = ["file": file.name, "line": String(entry.line), "eid": eid]
            if let category = entry.attributes["category"] {
                metadata["category"] = category
                metadata["seen"] = seenCategories.contains(category) ? "seen" : "unseen"
            }
            if let size = entry.attributes["size"] { metadata["size"] = size }
            examples.append(
                Example(id: "\(idPrefix)#\(eid)", source: source, references: references, metadata: metadata))
        }
        return LoadedDataset(
            examples: examples, skipped: log.skipped, filtered: filtered > 0 ? [toFixOnly: filtered] : [:])
    }

    /// `subject | property | object` → its three parts (split on " | " as the WebNLG tools do).
    static func splitTriple(_ text: String, file: String, line: Int) throws -> (String, String, String) {
        let parts = text.components(separatedBy: " | ")
        guard parts.count == 3 else {
            throw DatasetError.badValue(
                file: file, line: line, field: "mtriple",
                reason: "expected 'subject | property | object', found \(parts.count) parts in \(text.debugDescription)"
            )
        }
        return try requireTripleParts((parts[0], parts[1], parts[2]), field: "mtriple", file: file, line: line)
    }

    /// A triple whose subject, property or object is empty would linearise to `A : b : ` — a fact without its
    /// value, learnt as if it were one — so, as E2E's empty slot values, it is a row problem.
    static func requireTripleParts(_ triple: (String, String, String), field: String, file: String, line: Int)
        throws -> (String, String, String)
    {
        for (name, part) in [("subject", triple.0), ("property", triple.1), ("object", triple.2)]
        where part.allSatisfy(\.isWhitespace) {
            throw DatasetError.emptyField(file: file, line: line, field: "\(field) \(name)")
        }
        return triple
    }

    static func lineariseTriple(_ triple: (String, String, String)) -> String {
        " | \(triple.0) : \(triple.1) : \(triple.2)"
    }

    /// Li & Liang's `dev.json`: `{"entries": [{"1": {...}}, {"2": {...}}, …]}`.
    static func loadJSON(_ file: TextFile, onBadRow: OnBadRow) throws -> LoadedDataset {
        let root = try JSONValue.parse(file)
        guard let entries = root["entries"]?.array else {
            throw DatasetError.missingField(file: file.name, line: root.line, field: "entries")
        }
        var log = BadRowLog(onBadRow)
        var examples: [Example] = []
        var filtered = 0
        for (index, wrapper) in entries.enumerated() {
            let key = String(index + 1)
            do {
                // Li & Liang index each entry by its 1-based position as a string.
                guard let entry = wrapper[key], entry.isObject else {
                    throw DatasetError.missingField(file: file.name, line: wrapper.line, field: key)
                }
                if let example = try jsonEntry(entry, id: "\(file.stem)-\(key)", file: file.name, log: &log) {
                    examples.append(example)
                } else {
                    filtered += 1
                }
            } catch let error as DatasetError {
                try log.record(error)
            }
        }
        return LoadedDataset(
            examples: examples, skipped: log.skipped, filtered: filtered > 0 ? [toFixOnly: filtered] : [:])
    }

    /// One `dev.json` entry; nil when all of its lexicalisations are `toFix`.
    private static func jsonEntry(_ entry: JSONValue, id: String, file: String, log: inout BadRowLog) throws -> Example?
    {
        let fields = JSONFields(value: entry, file: file)
        let triples = try fields.array("modifiedtripleset")
        guard !triples.isEmpty else {
            throw DatasetError.emptyField(file: file, line: entry.line, field: "modifiedtripleset")
        }
        let source = try triples.map { triple in
            let t = JSONFields(value: triple, file: file)
            return lineariseTriple(
                (try t.nonEmptyString("subject"), try t.nonEmptyString("property"), try t.nonEmptyString("object")))
        }.joined()
        let lexicalisations = try fields.array("lexicalisations")
        var references: [String] = []
        for lex in lexicalisations {
            let l = JSONFields(value: lex, file: file)
            guard try l.string("comment") == "good" else { continue }
            _ = try log.attempt { references.append(try l.nonEmptyString("lex")) }
        }
        if references.isEmpty && !lexicalisations.isEmpty { return nil }
        var metadata = ["file": file, "line": String(entry.line)]
        if let category = entry["category"]?.string {
            metadata["category"] = category
            metadata["seen"] = seenCategories.contains(category) ? "seen" : "unseen"
        }
        if let eid = entry["xml_id"]?.string { metadata["eid"] = eid }
        if let size = entry["size"]?.string { metadata["size"] = size }
        return Example(id: id, source: source, references: references, metadata: metadata)
    }
}
