import Testing
import TextIO

private func file(_ text: String) -> TextFile { TextFile(name: "d.jsonl", bytes: Array(text.utf8)) }

/// The values of a JSON Lines file with their line numbers; failures as errors.
private func lines(_ text: String, blankLines: JSONLines.BlankLines = .skip) -> [(
    Int, Result<JSONValue, TextInputError>
)] {
    JSONLines(file(text), blankLines: blankLines).map { ($0.number, $0.value) }
}

/// One value per line, CRLF read as LF, blank lines (spaces and tabs) skipped by default; line numbers are
/// physical lines.
@Test func jsonLinesSkipBlankLines() throws {
    let read = lines("{\"a\": 1}\r\n\r\n  \t\r\n[\"x\", null]\r\n\"s\"")
    #expect(read.map(\.0) == [1, 4, 5])
    let values = try read.map { try $0.1.get() }
    #expect(values[0]["a"]?.kind.numberText == "1")
    #expect(values[1].array?.count == 2 && values[1].array?[0].string == "x")
    #expect(values[2].string == "s" && values.allSatisfy { $0.line > 0 })
}

/// With `.reject`, a blank line is a failure at its line (a reader that counts lines keeps its numbering).
@Test func jsonLinesRejectBlankLines() {
    let read = lines("[1]\n\n[2]\n", blankLines: .reject)
    #expect(read.map(\.0) == [1, 2, 3])
    guard case .failure(let error) = read[1].1 else {
        Issue.record("blank line accepted")
        return
    }
    #expect(error == .malformedJSON(file: "d.jsonl", line: 2, column: 1, reason: "blank line, expected a JSON value"))
}

/// A syntax error or a bad byte in one line fails that line only, with its line and column.
@Test func jsonLinesFailPerLine() {
    let bytes = Array("{\"a\": 1}\n{\"a\": }\n{\"a\": \"x".utf8) + [0xFF] + Array("\"}\n[3]\n".utf8)
    let read = JSONLines(TextFile(name: "d.jsonl", bytes: bytes)).map { ($0.number, $0.value) }
    #expect(read.map(\.0) == [1, 2, 3, 4])
    guard case .failure(let syntax) = read[1].1, case .failure(let utf8) = read[2].1 else {
        Issue.record("bad lines accepted")
        return
    }
    #expect(syntax == .malformedJSON(file: "d.jsonl", line: 2, column: 7, reason: "unexpected character '}'"))
    #expect(utf8 == .invalidUTF8(file: "d.jsonl", line: 3, column: 9, byte: 0xFF))
    #expect((try? read[3].1.get())?.array?.count == 1)
}

/// Whole documents: escapes and surrogate pairs decode, a repeated key keeps the last value, numbers keep
/// their text, values remember their line; errors name line and column; nesting is bounded.
@Test func jsonDocuments() throws {
    let text = "{\n \"s\": \"a\\u00e9\\ud83d\\ude00\\n\\\"\",\n \"k\": 1, \"k\": -2.5e3,\n \"l\": [true, false]\n}"
    let root = try JSONValue.parse(file(text))
    #expect(root["s"]?.string == "aé😀\n\"")
    #expect(root["k"]?.kind.numberText == "-2.5e3" && root["k"]?.line == 3)
    #expect(root["l"]?.line == 4 && root.isObject && root.typeName == "an object")
    for (bad, line, column) in [
        ("{\n\"a\": tru}", 2, 9), ("[1,\n 2,]", 2, 4), ("\"\\ud800\"", 1, 8), ("[1] [2]", 1, 5),
        ("\"a\tb\"", 1, 3),
    ] {
        #expect {
            try JSONValue.parse(file(bad))
        } throws: { error in
            guard case .malformedJSON(_, let l, let c, _)? = error as? TextInputError else { return false }
            return l == line && c == column
        }
    }
    let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
    #expect(throws: TextInputError.self) { try JSONValue.parse(file(deep)) }
}

extension JSONValue.Kind {
    fileprivate var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }
}
