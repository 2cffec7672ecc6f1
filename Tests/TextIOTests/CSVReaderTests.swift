import Testing
import TextIO

/// Reads every item of `text`; records as their field texts, row problems as their lines.
private func read(_ text: String) throws -> (records: [[String]], lines: [Int], problems: [Int]) {
    try read(Array(text.utf8))
}

private func read(_ bytes: [UInt8]) throws -> (records: [[String]], lines: [Int], problems: [Int]) {
    var reader = CSVReader(TextFile(name: "t.csv", bytes: bytes))
    var records: [[String]] = [], lines: [Int] = [], problems: [Int] = []
    while let item = try reader.next() {
        switch item {
        case .record(let record):
            records.append(try record.fields.indices.map { try reader.string(record, $0) })
            lines.append(record.line)
        case .malformed(let error):
            problems.append(error.line ?? 0)
        }
    }
    return (records, lines, problems)
}

/// RFC 4180 quoting: quoted commas, doubled quotes, an embedded CRLF kept verbatim (a line break inside
/// quotes is data); CRLF, LF and lone CR end records; empty lines are not records; lines are physical.
@Test func quotingAndLineEnds() throws {
    let text = "mr,ref\r\n\"a, b\",\"say \"\"hi\"\"\"\r\n\r\n\"two\r\nlines\",x\ny,\rz,\n"
    let (records, lines, problems) = try read(text)
    #expect(records == [["mr", "ref"], ["a, b", "say \"hi\""], ["two\r\nlines", "x"], ["y", ""], ["z", ""]])
    #expect(lines == [1, 2, 4, 6, 6])
    #expect(problems.isEmpty)
}

/// A quote inside an unquoted field and text after a closing quote are row problems at their line; the
/// reader resumes at the next line. A quote left open is closed by the next quote, and the message says
/// where the field began.
@Test func rowProblemsResume() throws {
    let (records, _, problems) = try read("a,say \"hi\"\nb,\"c\"x\nd,\"open\ne,\"f\"\ng,h\n")
    #expect(records == [["g", "h"]])
    #expect(problems == [1, 2, 4])
    var reader = CSVReader(TextFile(name: "t.csv", bytes: Array("d,\"open\ne,\"f\"\n".utf8)))
    guard case .malformed(let error)? = try reader.next() else { throw CSVTestFailure() }
    #expect(error.description.hasSuffix("the quoted field began on line 1"))
}

/// An unterminated quote swallows the rest of the file, so it is thrown, naming where the quote opened.
@Test func unterminatedQuoteIsThrown() throws {
    #expect(
        throws: TextInputError.malformedCSV(
            file: "t.csv", line: 2,
            reason: "quoted field is never closed (the rest of the file was read as part of it)")
    ) { try read("a,b\nc,\"never closed\r\nthe end\r\n") }
}

/// A bad byte is located by its physical line and column, also on the second line of a quoted field.
@Test func invalidUTF8InAField() throws {
    let bytes = Array("mr,ref\r\nx,\"one\r\ntwo ".utf8) + [0xC0, 0xAF] + Array("\"\r\n".utf8)
    #expect(throws: TextInputError.invalidUTF8(file: "t.csv", line: 3, column: 5, byte: 0xC0)) {
        try read(bytes)
    }
    let unquoted = Array("mr,ref\nCaf".utf8) + [0xE9] + Array(",x\n".utf8)
    #expect(throws: TextInputError.invalidUTF8(file: "t.csv", line: 2, column: 4, byte: 0xE9)) {
        try read(unquoted)
    }
}

private struct CSVTestFailure: Error {}
