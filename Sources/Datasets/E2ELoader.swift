import Foundation
import TextIO

/// The E2E NLG Challenge files (Novikova et al. 2017): the original CSVs and Li & Liang's derived
/// `SOURCE||TARGET` files.
///
/// Linearisation (task `e2e`): the CSV meaning representation `name[The Vaults], eatType[pub]` becomes
/// `name : The Vaults | eatType : pub` — the original slot names and values, in MR order, joined the way
/// Li & Liang join slots. Li & Liang's own files (task `e2e-prefixtuning`) differ: they rename slots
/// (`eatType` → `Type`, `priceRange` → `price`, `familyFriendly` → `family friendly`) and tokenize values and
/// references (`£ 20 - 25`, `family - friendly .`). Scores from `e2e` runs are therefore close to but not
/// token-for-token comparable with published Prefix-Tuning numbers; use `e2e-prefixtuning` on
/// `src1_{train,valid,test}.txt` to reproduce their inputs exactly.
public enum E2ELoader {
    /// Reads `trainset.csv`, `devset.csv`, `testset_w_refs.csv` (header `mr,ref`) or `testset.csv` (header
    /// `MR`, inputs only). References are grouped by identical MR string in order of first appearance.
    public static func loadCSV(_ url: URL, onBadRow: OnBadRow = .fail) throws -> LoadedDataset {
        try DatasetError.reportingInput { try loadCSV(TextFile(url: url), onBadRow: onBadRow) }
    }

    static func loadCSV(_ file: TextFile, onBadRow: OnBadRow) throws -> LoadedDataset {
        var reader = CSVReader(file)
        var log = BadRowLog(onBadRow)
        let expected = "mr,ref or MR (case-insensitive)"
        // The header decides the layout; a broken header is never skippable.
        let header: CSVReader.Record
        switch try reader.next() {
        case .record(let record): header = record
        case .malformed(let error): throw DatasetError.input(error)
        case nil: throw DatasetError.wrongHeader(file: file.name, line: 1, found: "", expected: expected)
        }
        let names = try header.fields.indices.map { try reader.string(header, $0).lowercased() }
        guard names == ["mr", "ref"] || names == ["mr"] else {
            throw DatasetError.wrongHeader(
                file: file.name, line: header.line, found: names.joined(separator: ","), expected: expected)
        }
        let hasReferences = names.count == 2
        var grouper = ExampleGrouper(idPrefix: file.stem)
        while let item = try reader.next() {
            guard case .record(let record) = item else {
                if case .malformed(let error) = item { try log.record(.input(error)) }
                continue
            }
            _ = try log.attempt {
                let line = record.line
                if record.fields.count > names.count {
                    throw DatasetError.malformed(
                        file: file.name, line: line,
                        reason:
                            "\(record.fields.count) fields, expected \(names.count) (quote fields that contain commas)")
                }
                guard record.fields.count == names.count else {
                    throw DatasetError.missingField(file: file.name, line: line, field: "ref")
                }
                let mr = try reader.string(record, 0)
                let reference = hasReferences ? try reader.string(record, 1) : nil
                guard !mr.allSatisfy(\.isWhitespace) else {
                    throw DatasetError.emptyField(file: file.name, line: line, field: "mr")
                }
                if let reference, reference.allSatisfy(\.isWhitespace) {
                    throw DatasetError.emptyField(file: file.name, line: line, field: "ref")
                }
                try grouper.add(
                    key: mr, source: try linearise(mr, file: file.name, line: line),
                    references: reference.map { [$0] } ?? [],
                    metadata: ["file": file.name, "line": String(line), "mr": mr])
            }
        }
        return LoadedDataset(examples: grouper.examples, skipped: log.skipped)
    }

    struct MRSyntaxError: Error {
        let reason: String
    }

    /// Splits `name[The Vaults], eatType[pub]` into slots and values. Values never contain `]` in E2E, so the
    /// first `]` closes a value; anything between `]` and the next slot other than `,` and spaces is an error.
    static func parseMR(_ mr: String) throws -> [(slot: String, value: String)] {
        var slots: [(slot: String, value: String)] = []
        var rest = Substring(mr)
        while !rest.isEmpty {
            guard let open = rest.firstIndex(of: "[") else {
                throw MRSyntaxError(reason: "expected slot[value] at \(String(rest).debugDescription)")
            }
            let slot = trimmed(rest[..<open])
            guard !slot.isEmpty else {
                throw MRSyntaxError(reason: "a value without a slot name at \(String(rest).debugDescription)")
            }
            guard let close = rest[open...].firstIndex(of: "]") else {
                throw MRSyntaxError(reason: "slot '\(slot)' has no closing ]")
            }
            let value = String(rest[rest.index(after: open)..<close])
            guard !value.allSatisfy(\.isWhitespace) else {
                throw MRSyntaxError(reason: "slot '\(slot)' has an empty value")
            }
            slots.append((slot, value))
            rest = rest[rest.index(after: close)...].drop(while: { $0 == " " })
            if rest.first == "," {
                rest = rest.dropFirst().drop(while: { $0 == " " })
                if rest.isEmpty { throw MRSyntaxError(reason: "trailing comma") }
            } else if !rest.isEmpty {
                throw MRSyntaxError(reason: "expected ',' after slot '\(slot)'")
            }
        }
        guard !slots.isEmpty else { throw MRSyntaxError(reason: "no slots") }
        return slots
    }

    /// `text` without leading and trailing spaces or tabs (Foundation's trimming bridges through NSString,
    /// which made it most of the time to load E2E's train split).
    static func trimmed(_ text: Substring) -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        var low = text.startIndex
        var high = text.endIndex
        while low < high, blank(text[low]) { low = text.index(after: low) }
        while high > low, blank(text[text.index(before: high)]) { high = text.index(before: high) }
        return String(text[low..<high])
    }

    /// `slot : value | slot : value`, the joint format of Li & Liang with the CSV's own names and values.
    static func linearise(_ mr: String, file: String, line: Int) throws -> String {
        do {
            return try parseMR(mr).map { "\($0.slot) : \($0.value)" }.joined(separator: " | ")
        } catch let problem as MRSyntaxError {
            throw DatasetError.badValue(file: file, line: line, field: "mr", reason: problem.reason)
        }
    }

    /// Reads Li & Liang's `src1_*.txt`: one `SOURCE||TARGET` pair per line, grouped by identical source.
    /// Source and target are kept byte for byte (their targets end with a space, which their training
    /// string keeps); empty lines are ignored as their loader ignores them.
    public static func loadPrefixTuningFormat(_ url: URL, onBadRow: OnBadRow = .fail) throws -> LoadedDataset {
        try DatasetError.reportingInput { try loadPrefixTuningFormat(TextFile(url: url), onBadRow: onBadRow) }
    }

    static func loadPrefixTuningFormat(_ file: TextFile, onBadRow: OnBadRow) throws -> LoadedDataset {
        var log = BadRowLog(onBadRow)
        var grouper = ExampleGrouper(idPrefix: file.stem)
        for textLine in file.lines() where !textLine.range.isEmpty {
            let line = textLine.number
            _ = try log.attempt {
                let text = try file.text(of: textLine)
                let parts = text.components(separatedBy: "||")
                guard parts.count == 2 else {
                    throw DatasetError.malformed(
                        file: file.name, line: line,
                        reason: "expected SOURCE||TARGET, found \(parts.count - 1) '||' separators")
                }
                guard !parts[0].allSatisfy(\.isWhitespace) else {
                    throw DatasetError.emptyField(file: file.name, line: line, field: "source")
                }
                guard !parts[1].allSatisfy(\.isWhitespace) else {
                    throw DatasetError.emptyField(file: file.name, line: line, field: "target")
                }
                grouper.add(
                    key: parts[0], source: parts[0], references: [parts[1]],
                    metadata: ["file": file.name, "line": String(line)])
            }
        }
        return LoadedDataset(examples: grouper.examples, skipped: log.skipped)
    }
}
