/// An RFC 4180 CSV reader over raw bytes.
///
/// Fields are separated by `,`; records end at an unquoted LF, CRLF or lone CR. A field that starts with `"`
/// is quoted: it may hold commas, newlines (E2E's train split has two references with an embedded CRLF) and
/// doubled quotes `""` standing for one `"`. Line numbers are physical lines, so an error in the record after
/// a multi-line field still points at the right line of the file.
///
/// Strictness, and why: a quote inside an unquoted field or text after a closing quote is reported rather
/// than guessed at (Python's csv module silently glues such text together). Those are row problems — the
/// reader resumes at the next line. An unterminated quoted field swallows the rest of the file, so it is a
/// file problem under either `OnBadRow` policy. Completely empty lines are not records (files often end
/// with one).
struct CSVReader {
    struct Record {
        /// Physical line on which the record starts.
        let line: Int
        /// Byte offset at which each field starts (for line numbers of problems inside a field).
        let fieldStarts: [Int]
        /// Field contents with quoting removed, still as bytes (UTF-8 is checked by the caller).
        let fields: [[UInt8]]
    }

    private let file: TextFile
    private var position = 0
    private var line = 1

    init(_ file: TextFile) { self.file = file }

    /// A record, or a row problem the reader has already moved past.
    enum Item {
        case record(Record)
        case malformed(DatasetError)
    }

    /// The next record or malformed row, nil at the end of the file. Only an unterminated quote — which
    /// leaves nothing to resume at — is thrown.
    mutating func next() throws -> Item? {
        let bytes = file.bytes
        // Skip empty lines between records.
        while position < bytes.count, bytes[position] == 0x0A || bytes[position] == 0x0D {
            consumeLineEnd()
        }
        guard position < bytes.count else { return nil }
        let recordLine = line
        var fields: [[UInt8]] = []
        var starts: [Int] = []
        while true {
            starts.append(position)
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
                    throw DatasetError.malformed(
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
                        .malformed(
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
                            .malformed(
                                file: file.name, line: problemLine,
                                reason: "quote inside an unquoted field (quote the field and double the quote)"))
                    }
                    field.append(bytes[position])
                    position += 1
                }
            }
            fields.append(field)
            if position < bytes.count, bytes[position] == 0x2C {
                position += 1
                continue
            }
            if position < bytes.count { consumeLineEnd() }
            return .record(Record(line: recordLine, fieldStarts: starts, fields: fields))
        }
    }

    private func isDelimiter(_ b: UInt8) -> Bool { b == 0x2C || b == 0x0A || b == 0x0D }

    /// Consumes one LF, CRLF or lone CR. Lines are counted by LF, as `TextFile` does, so a lone CR ends a
    /// record without starting a new physical line.
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

    /// Decodes field `index` of `record` as UTF-8, naming the physical line of a bad byte.
    func string(_ record: Record, _ index: Int) throws -> String {
        let bytes = record.fields[index]
        if let bad = UTF8Validation.firstInvalidOffset(in: bytes[...]) {
            // Lines before the field, plus newlines inside the field before the bad byte.
            let before = file.newlineCount(record.fieldStarts[0]..<record.fieldStarts[index])
            let inside = bytes[..<bad].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw DatasetError.invalidUTF8(file: file.name, line: record.line + before + inside)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
