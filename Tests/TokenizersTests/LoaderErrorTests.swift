import Foundation
import Testing
import TestSupport
import Tokenizers

/// The tiny BPE files in `folder`, optionally with one file replaced.
private func tinyCopy(in folder: TemporaryFolder, vocab: String? = nil, merges: String? = nil) throws -> URL {
    let source = TestTokenizers.tinyFolder
    let originalVocab = try String(contentsOf: source.appendingPathComponent("vocab.json"), encoding: .utf8)
    let originalMerges = try String(contentsOf: source.appendingPathComponent("merges.txt"), encoding: .utf8)
    try folder.write(vocab ?? originalVocab, to: "vocab.json")
    try folder.write(merges ?? originalMerges, to: "merges.txt")
    return folder.url
}

private func loadError(_ folder: URL) -> TokenizerError? {
    do {
        _ = try GPT2Tokenizer(directory: folder)
        return nil
    } catch {
        return error
    }
}

private let smallVocab = #"{"a": 0, "b": 1}"#

/// The error must be `malformedFile` naming a file with `suffix`, the line, and a reason containing `reason`.
private func expectMalformed(_ error: TokenizerError?, suffix: String, line: Int, reason: String) {
    guard case let .malformedFile(path, errorLine, message) = error else {
        Issue.record("expected malformedFile, got \(String(describing: error))")
        return
    }
    #expect(path.hasSuffix(suffix) && errorLine == line && message.contains(reason), "\(error?.description ?? "")")
    #expect(error?.description.contains("\(suffix):\(line):") == true)
}

/// Garbled vocab.json files are rejected with the file and the line of the defect.
@Test(arguments: [
    ("{\n\"a\": 0,\n\"b\": 1,\n", 4, "unexpected end"),
    ("{\n\"a\": 0,\n\"a\": 1}", 3, "token repeats the one with id 0"),
    ("{\n\"<x>☃\": 0,\n\"<x>☃\": 1}", 3, "token repeats the one on line 2"),
    ("{\n\"a\": 0,\n\"b\": 0}", 3, "id 0 repeats"),
    ("{\n\"a\": 0,\n\"b\": -1}", 3, "non-negative integer"),
    ("{\n\"a\": 0,\n\"b\": 1.5}", 3, "integers"),
    ("{\"a\": 0}\n\n garbage", 3, "after the vocabulary object"),
    ("[1, 2]", 1, "'{'"),
    ("{\"\\ud800\": 1}", 1, "surrogate"),
])
func garbledVocabularyNamesLine(text: String, line: Int, reason: String) throws {
    let folder = try TemporaryFolder()
    expectMalformed(loadError(try tinyCopy(in: folder, vocab: text)), suffix: "vocab.json", line: line, reason: reason)
}

/// Broken merges.txt lines are rejected with their line number (the header counts as line 1).
@Test(arguments: [
    ("#version: 0.2\nĠ t\nĠ a b\n", 3, "two tokens"),
    ("#version: 0.2\nĠ t\n\nĠ a\n", 3, "two tokens"),
    ("#version: 0.2\nĠ t\nĠt\n", 3, "two tokens"),
    ("#version: 0.2\nĠ t\nĠ t\n", 3, "repeats"),
])
func garbledMergesNamesLine(text: String, line: Int, reason: String) throws {
    let folder = try TemporaryFolder()
    expectMalformed(loadError(try tinyCopy(in: folder, merges: text)), suffix: "merges.txt", line: line, reason: reason)
}

/// A merge whose parts are not in vocab.json names the line and the token.
@Test func mergeOfUnknownTokenIsNamed() throws {
    let folder = try TemporaryFolder()
    let error = try #require(loadError(try tinyCopy(in: folder, merges: "#version: 0.2\nĠ t\nzz☃ q\n")))
    guard case let .mergeTokenNotInVocabulary(path, line, token) = error else {
        Issue.record("unexpected error \(error)")
        return
    }
    #expect(path.hasSuffix("merges.txt") && line == 3 && token == "zz☃")
}

/// A folder without the files says which file is missing.
@Test func missingFilesAreNamed() throws {
    let parent = try TemporaryFolder()
    let folder = parent.url(for: "absent")
    let error = try #require(loadError(folder))
    #expect(error.description.contains("vocab.json"))
    #expect(throws: TokenizerError.self) { try GPT2Tokenizer(tiktokenURL: folder.appendingPathComponent("x.tiktoken")) }
}

/// Garbled tiktoken rank files are rejected with the line (base64 and rank checked, duplicates found).
@Test(arguments: [
    ("IQ== 0\nIg== 1\n!!!! 2\n", 3, "base64"),
    ("IQ== 0\nIg== x\n", 2, "rank"),
    ("IQ== 0\nIg== 0\n", 2, "repeats"),
    ("IQ== 0\nIQ== 1\n", 2, "repeats"),
    ("IQ== 0 extra\n", 1, "base64-token rank"),
])
func garbledTiktokenNamesLine(text: String, line: Int, reason: String) throws {
    let folder = try TemporaryFolder()
    let file = try folder.write(text, to: "ranks.tiktoken")
    var error: TokenizerError?
    do { _ = try GPT2Tokenizer(tiktokenURL: file) } catch let caught { error = caught }
    expectMalformed(error, suffix: ".tiktoken", line: line, reason: reason)
}

/// A tiktoken file with all 256 bytes but no merges still encodes, one id per byte, with EOT after the ranks.
@Test func minimalTiktokenFile() throws {
    let lines = (0..<256).map { byte in "\(Data([UInt8(byte)]).base64EncodedString()) \(byte)" }
    let folder = try TemporaryFolder()
    let file = try folder.write(lines.joined(separator: "\n") + "\n", to: "ranks.tiktoken")
    let tokenizer = try GPT2Tokenizer(tiktokenURL: file)
    #expect(tokenizer.endOfTextID == 256 && tokenizer.vocabularySize == 257)
    #expect(try tokenizer.encode("hé<|endoftext|>") == [0x68, 0xC3, 0xA9, 256])
    #expect(try tokenizer.decode([0x68, 0xC3, 0xA9, 256]) == "hé<|endoftext|>")
}

extension TokenizerError {
    /// The file a load error names (for comparisons that do not care about the temp path).
    var path: String {
        switch self {
        case let .malformedFile(path, _, _), let .unreadableFile(path, _),
            let .mergeTokenNotInVocabulary(path, _, _):
            path
        default: ""
        }
    }
}
