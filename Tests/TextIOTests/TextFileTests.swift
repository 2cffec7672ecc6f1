import Foundation
import Testing
import TextIO

private func file(_ text: String) -> TextFile { TextFile(name: "in.txt", bytes: Array(text.utf8)) }

/// The one line policy: lines end at LF, CRLF reads as LF, a CR at the very end of the file is dropped,
/// every other CR (and U+2028, U+0085, form feeds) is text; a final LF adds no line, an inner empty line stays.
@Test(
    arguments: [
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\nb", ["a", "b"]),
        ("a\r\n\r\nb", ["a", "", "b"]),
        ("a\rb\n", ["a\rb"]),
        ("a\r\nb\r", ["a", "b"]),
        ("\r", [""]),
        ("\n", [""]),
        ("", []),
        ("x\u{2028}y\u{85}z\u{0C}w\n\nlast\n", ["x\u{2028}y\u{85}z\u{0C}w", "", "last"]),
        ("a\r\r\n", ["a\r"]),
    ] as [(String, [String])])
func linesReadCRLFAsLF(_ text: String, _ expected: [String]) throws {
    let input = file(text)
    #expect(try input.textLines() == expected)
    #expect(input.lines().map(\.number) == Array(1..<expected.count + 1))
}

/// A CRLF file and its LF copy give the same lines with the same numbers.
@Test func crlfAndLFCopiesAgree() throws {
    let lf = file("one\ntwo\n\nfour\n"), crlf = file("one\r\ntwo\r\n\r\nfour\r\n")
    #expect(try crlf.textLines() == lf.textLines())
    #expect(crlf.lines().map(\.number) == lf.lines().map(\.number))
}

/// Invalid UTF-8 — a stray continuation byte, an overlong form, an encoded surrogate, a truncated sequence,
/// a code point above U+10FFFF, a Latin-1 byte after CRLF lines — is located by line, byte column and byte.
@Test(
    arguments: [
        ([0x61, 0x0A, 0x62, 0x80], 2, 2, 0x80), ([0xC0, 0xAF], 1, 1, 0xC0),
        ([0x0A, 0x0A, 0x78, 0xED, 0xA0, 0x80], 3, 2, 0xED), ([0x61, 0x62, 0x63, 0xE2, 0x82], 1, 4, 0xE2),
        ([0xF4, 0x90, 0x80, 0x80], 1, 1, 0xF4), ([0x61, 0x0D, 0x0A, 0x43, 0x61, 0x66, 0xE9, 0x0D, 0x0A], 2, 4, 0xE9),
    ] as [([UInt8], Int, Int, UInt8)])
func invalidUTF8IsLocated(_ bytes: [UInt8], line: Int, column: Int, byte: UInt8) {
    let input = TextFile(name: "bad.txt", bytes: bytes)
    let expected = TextInputError.invalidUTF8(file: "bad.txt", line: line, column: column, byte: byte)
    #expect(throws: expected) { try input.textLines() }
    #expect(throws: expected) { try input.validateUTF8() }
    #expect(throws: expected) { try input.text() }
}

/// Valid 2-, 3- and 4-byte sequences pass unchanged; a leading byte-order mark is not text.
@Test func validUTF8AndByteOrderMark() throws {
    #expect(try file("£20 — 日本 😀\nΣ").textLines() == ["£20 — 日本 😀", "Σ"])
    let marked = TextFile(name: "bom.txt", bytes: [0xEF, 0xBB, 0xBF] + Array("a\r\nb".utf8))
    #expect(try marked.textLines() == ["a", "b"])
    #expect(TextFile(name: "x", bytes: [0xEF, 0xBB]).bytes == [0xEF, 0xBB])
}

/// A missing file is `unreadable`, naming the path; messages carry file, line and column.
@Test func unreadableAndMessages() throws {
    let missing = FileManager.default.temporaryDirectory.appendingPathComponent("textio-\(UUID().uuidString)").path
    do {
        _ = try TextFile(path: missing)
        Issue.record("reading a missing file succeeded")
    } catch {
        guard case .unreadable(let path, _) = error else { throw error }
        #expect(path == missing)
        #expect(error.description.hasPrefix("\(missing): cannot read ("))
        #expect(error.line == nil && error.file == missing)
    }
    #expect(
        TextInputError.invalidUTF8(file: "f", line: 3, column: 7, byte: 0xE9).description
            == "f:3:7: invalid UTF-8 (byte 0xE9); re-encode the file as UTF-8")
    #expect(
        TextInputError.malformedJSON(file: "f", line: 2, column: 5, reason: "unterminated string").description
            == "f:2:5: invalid JSON: unterminated string")
    #expect(TextInputError.invalidUTF8(file: "f", line: 1, column: 1, byte: 0x8).description.contains("0x08"))
}

/// Line and column of a byte, also when counted from a later anchor.
@Test func locationOfAByte() {
    let input = file("ab\r\ncd\nef")
    #expect(input.location(ofByte: 5) == (2, 2))
    #expect(input.location(ofByte: 8, anchor: 4, anchorLine: 2) == (3, 2))
    #expect(input.stem == "in")
}
