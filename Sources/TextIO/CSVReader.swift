/// An RFC 4180 CSV reader over raw bytes.
///
/// Fields are separated by `,`; records end at an unquoted LF, CRLF or lone CR (as Python's `csv` module
/// reads them). A field that starts with `"` is quoted: it may hold commas, newlines and doubled quotes `""`
/// standing for one `"`, and its text is kept byte for byte — a line break inside quotes is data, not a
/// line ending, so E2E's two training references with an embedded CRLF keep it, as Python reads them. Line
/// numbers are physical lines (counted by LF), so an error in the record after a multi-line field still
/// points at the right line of the file.
///
/// Strictness, and why: a quote inside an unquoted field or text after a closing quote is reported rather
/// than guessed at (Python's csv module silently glues such text together). Those are row problems — the
/// reader resumes at the next line. An unterminated quoted field swallows the rest of the file, so it is
/// thrown. Completely empty lines are not records (files often end with one).
public struct CSVReader {
    public struct Record: Sendable {
        /// Physical line on which the record starts.
        public let line: Int
        /// Field contents with quoting removed, still as bytes (see `string(_:_:)` for the text).
        public let fields: [[UInt8]]
        /// Where each field sits in the file, quotes included (to locate a bad byte inside a field).
        let fieldRanges: [Range<Int>]
    }

    /// A record, or a row problem the reader has already moved past.
    public enum Item: Sendable {
        case record(Record)
        case malformed(TextInputError)
    }

    public let file: TextFile
    private var position = 0
    private var line = 1

    public init(_ file: TextFile) { self.file = file }

    /// The next record or malformed row, nil at the end of the file. Only an unterminated quote — which
    /// leaves nothing to resume at — is thrown.
    public mutating func next() throws(TextInputError) -> Item? {
        let bytes = file.bytes
        // Skip empty lines between records.
        while position < bytes.count, bytes[position] == 0x0A || bytes[position] == 0x0D {
            consumeLineEnd()
        }
        guard position < bytes.count else { return nil }
        let recordLine = line
        var fields: [[UInt8]] = []
        var ranges: [Range<Int>] = []
        while true {
            let start = position
            var field: [UInt8] = []
            if position < bytes.count, bytes[position] == 0x22 {
                let quoteLine = line
                position += 1
                var closed = false
                while position < bytes.count {
                    let b = bytes[position]
                    if b == 0x22 {
                        if position + 1 < bytes.count, bytes[position + 1] == 0x22 {
                            field.append(0x22)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if b == 0x0A { line += 1 }
                    field.append(b)
                    position += 1
                }
                guard closed else {
                    throw .malformedCSV(
                        file: file.name, line: quoteLine,
                        reason: "quoted field is never closed (the rest of the file was read as part of it)")
                }
                if position < bytes.count, !isDelimiter(bytes[position]) {
                    let problemLine = line
                    skipRestOfLine()
                    // A quote left open on an earlier line is closed by the next quote in the file, so the
                    // message names where the quoted field began.
                    let opened = quoteLine == problemLine ? "" : "; the quoted field began on line \(quoteLine)"
                    return .malformed(
                        .malformedCSV(
                            file: file.name, line: problemLine,
                            reason: "text after a closing quote (a quote inside a quoted field must be doubled: \"\")"
                                + opened))
                }
            } else {
                while position < bytes.count, !isDelimiter(bytes[position]) {
                    if bytes[position] == 0x22 {
                        let problemLine = line
                        skipRestOfLine()
                        return .malformed(
                            .malformedCSV(
                                file: file.name, line: problemLine,
                                reason: "quote inside an unquoted field (quote the field and double the quote)"))
                    }
                    field.append(bytes[position])
                    position += 1
                }
            }
            fields.append(field)
            ranges.append(start..<position)
            if position < bytes.count, bytes[position] == 0x2C {
                position += 1
                continue
            }
            if position < bytes.count { consumeLineEnd() }
            return .record(Record(line: recordLine, fields: fields, fieldRanges: ranges))
        }
    }

    /// Every record's line and field texts, for callers that stop at the first problem of any kind.
    public static func records(_ file: TextFile) throws(TextInputError) -> [(line: Int, fields: [String])] {
        var reader = CSVReader(file)
        var records: [(line: Int, fields: [String])] = []
        while let item = try reader.next() {
            switch item {
            case .record(let record):
                var fields: [String] = []
                for index in record.fields.indices { fields.append(try reader.string(record, index)) }
                records.append((record.line, fields))
            case .malformed(let problem):
                throw problem
            }
        }
        return records
    }

    private func isDelimiter(_ b: UInt8) -> Bool { b == 0x2C || b == 0x0A || b == 0x0D }

    /// Consumes one LF, CRLF or lone CR. Lines are counted by LF, as everywhere in TextIO, so a lone CR ends
    /// a record without starting a new physical line.
    private mutating func consumeLineEnd() {
        if file.bytes[position] == 0x0D { position += 1 }
        if position < file.bytes.count, file.bytes[position] == 0x0A {
            position += 1
            line += 1
        }
    }

    /// Resynchronises after a malformed record: everything up to and including the next line end is dropped.
    private mutating func skipRestOfLine() {
        while position < file.bytes.count, file.bytes[position] != 0x0A, file.bytes[position] != 0x0D {
            position += 1
        }
        if position < file.bytes.count { consumeLineEnd() }
    }

    /// Field `index` of `record` as UTF-8 text; a bad byte is named by its physical line and column.
    public func string(_ record: Record, _ index: Int) throws(TextInputError) -> String {
        // Quotes are ASCII, so the raw field (quotes included) holds its first bad byte where the
        // unquoted text does, and the raw offset locates it in the file.
        if let bad = UTF8Validation.firstInvalidOffset(in: file.bytes[record.fieldRanges[index]]) {
            throw file.invalidUTF8(at: bad, anchor: record.fieldRanges[0].lowerBound, anchorLine: record.line)
        }
        return String(decoding: record.fields[index], as: UTF8.self)
    }
}
