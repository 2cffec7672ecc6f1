import Foundation
import Testing
import TestSupport
import TextIO
import Tokenizers

/// Lines end at "\n" and CRLF reads as LF: a lone CR, U+2028, U+0085 and form feeds stay in the text, and
/// a final newline does not add an empty line (an empty line in the middle is an empty text).
@Test func textLinesSplitAtNewline() throws {
    let text = "a\r\nb\u{2028}c\u{85}d\u{0C}e\rf\n\nlast\n"
    let lines = try LineInput.textLines(Array(text.utf8), source: "in.txt")
    #expect(lines == ["a", "b\u{2028}c\u{85}d\u{0C}e\rf", "", "last"])
    #expect(try LineInput.textLines(Array("no newline".utf8), source: "in.txt") == ["no newline"])
    #expect(try LineInput.textLines([], source: "in.txt") == [])
}

/// The `tokenize` and `perplexity` inputs read a CRLF file as its LF copy: no "\r" is tokenized or scored.
@Test func crlfInputReadsAsLF() throws {
    let lf = "one line\n\nx <|endoftext|> y\n[1, 2]\n"
    let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
    let lines = try LineInput.textLines(Array(crlf.utf8), source: "in.txt")
    #expect(try lines == LineInput.textLines(Array(lf.utf8), source: "in.txt"))
    #expect(!lines.contains { $0.contains("\r") })
    #expect(try LineInput.idLines(Array("[1,2]\r\n[]\r\n".utf8), source: "ids") == [[1, 2], []])
}

/// Bytes that are not UTF-8 are an error naming the line, the byte column and the byte (never replaced).
@Test(
    arguments: [
        ([0x61, 0x0A, 0x62, 0x63, 0xFF, 0x64], 2, 3, 0xFF),  // invalid byte
        ([0xE2, 0x82], 1, 1, 0xE2),  // truncated sequence at the end
        ([0x61, 0xC0, 0xAF], 1, 2, 0xC0),  // overlong encoding
        ([0x0A, 0x0A, 0xED, 0xA0, 0x80], 3, 1, 0xED),  // UTF-16 surrogate
    ] as [([UInt8], Int, Int, UInt8)])
func invalidUTF8IsLocated(bytes: [UInt8], line: Int, column: Int, byte: UInt8) {
    #expect(throws: TokenizerError.input(.invalidUTF8(file: "in.txt", line: line, column: column, byte: byte))) {
        try LineInput.textLines(bytes, source: "in.txt")
    }
}

/// `--decode` input: one JSON array of integers per line; anything else (broken JSON, a blank line, a
/// value that is not an array of integers) names the line.
@Test func idLinesParseAndReject() throws {
    #expect(try LineInput.idLines(Array("[1,2, 3]\n[]\n [ 7 ] \n".utf8), source: "ids") == [[1, 2, 3], [], [7]])
    for (text, line) in [
        ("[1,2]\n[1,,2]\n", 2), ("[1 2]\n", 1), ("1,2\n", 1), ("[1,2\n", 1), ("[1]x\n", 1), ("[1]\n\n[2]\n", 2),
        ("[1]\n{}\n", 2), ("[1.5]\n", 1), ("[\"1\"]\n", 1),
    ] {
        #expect(throws: TokenizerError.self) { try LineInput.idLines(Array(text.utf8), source: "ids") }
        do {
            _ = try LineInput.idLines(Array(text.utf8), source: "ids")
        } catch {
            switch error {
            case let .malformedIDLine(path, errorLine, _), let .input(.malformedJSON(path, errorLine, _, _)):
                #expect(path == "ids" && errorLine == line, "\(text)")
            default:
                Issue.record("unexpected \(error)")
            }
        }
    }
    var out: [UInt8] = []
    LineInput.appendJSONArray([15496, 995], to: &out)
    LineInput.appendJSONArray([], to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "[15496,995][]")
}

/// Encoding input lines reports a rejected special token at its input line and byte; decoding reports
/// an unknown id at its line.
@Test func lineErrorsNameTheInputLine() throws {
    let tokenizer = try TestTokenizers.tiny()
    let lines = ["one", "two", "x <|endoftext|>"]
    #expect(
        throws: TokenizerError.inInput(
            path: "in.txt", line: 12,
            .disallowedSpecialToken(token: "<|endoftext|>", text: nil, line: 1, byteOffset: 2))
    ) { try tokenizer.encodeLines(lines, special: .reject, source: "in.txt", firstLine: 10) }
    let error = TokenizerError.inInput(
        path: "in.txt", line: 12, .disallowedSpecialToken(token: "<|endoftext|>", text: nil, line: 1, byteOffset: 2))
    #expect(error.description.hasPrefix("in.txt:12: special token <|endoftext|> at byte 2 is not allowed"))
    #expect(try tokenizer.encodeLines(lines, special: .allow, source: "in.txt", firstLine: 1).count == 3)
    #expect(throws: TokenizerError.inInput(path: "ids", line: 4, .unknownID(-3, position: 1))) {
        try tokenizer.decodeLine([1, -3], source: "ids", line: 4)
    }
}

/// `GPT2Tokenizer.load` takes a folder or a .tiktoken file.
@Test func loadFolder() throws {
    let tokenizer = try GPT2Tokenizer.load(TestTokenizers.tinyFolder)
    #expect(try tokenizer.vocabularySize == TestTokenizers.tinyExpected.value().vocabularySize)
}

/// … and a .tiktoken rank file (the real GPT-2 one).
@Test(TestTokenizers.needsGPT2) func loadRankFile() throws {
    let folder = try #require(TestTokenizers.gpt2Folder)
    #expect(try GPT2Tokenizer.load(folder.appendingPathComponent("gpt2.tiktoken")).vocabularySize == 50257)
}
