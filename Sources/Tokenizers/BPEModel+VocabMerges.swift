import Foundation
import TextIO

/// Loading the Hugging Face / OpenAI layout: `vocab.json` (token string → id) and `merges.txt`
/// (`#version: …` header, then one `A B` merge per line; rank = order in the file).
extension BPEModel {
    static func load(vocabURL: URL, mergesURL: URL, specialTexts: [String]) throws(TokenizerError) -> BPEModel {
        let vocabPath = vocabURL.path
        let entries = try VocabularyJSONReader.read(try readFile(vocabURL), path: vocabPath)
        var tokens: [(id: Int, token: Token, line: Int)] = []
        tokens.reserveCapacity(entries.count)
        var lineOfID: [Int: Int] = [:]
        lineOfID.reserveCapacity(entries.count)
        var scratch: [UInt8] = []
        var addedLines: [String: Int] = [:]
        for entry in entries {
            if let earlier = lineOfID[entry.id] {
                throw .malformedFile(
                    path: vocabPath, line: entry.line, reason: "id \(entry.id) repeats the one on line \(earlier)")
            }
            lineOfID[entry.id] = entry.line
            if ByteLevelAlphabet.decode(utf8: entry.key, into: &scratch) {
                tokens.append((entry.id, .bytes(scratch), entry.line))
            } else if let text = String(validating: entry.key, as: UTF8.self) {
                if let earlier = addedLines[text] {
                    throw .malformedFile(
                        path: vocabPath, line: entry.line, reason: "token repeats the one on line \(earlier)")
                }
                addedLines[text] = entry.line
                tokens.append((entry.id, .added(text), entry.line))
            } else {
                throw .malformedFile(path: vocabPath, line: entry.line, reason: "token string is not valid UTF-8")
            }
        }
        let mergesText = try readFile(mergesURL)
        return try BPEModel(
            tokens: tokens, specialTexts: specialTexts, source: vocabPath, wholeTokenRule: .reproducedByMerges
        ) { (byBytes: ByteKeyTable) throws(TokenizerError) -> PairRankTable in
            try pairTable(merges: mergesText, path: mergesURL.path, tokensByBytes: byBytes)
        }
    }

    /// Parses merge lines the way HF `tokenizers` does: lines starting with `#version` are skipped
    /// (they do not take a rank), every other line must be exactly two space-separated tokens, and
    /// both parts and their concatenation must be in the vocabulary.
    private static func pairTable(merges: [UInt8], path: String, tokensByBytes: ByteKeyTable)
        throws(TokenizerError) -> PairRankTable
    {
        let lines = merges.split(separator: 0x0A, omittingEmptySubsequences: false)
        var table = PairRankTable(minimumCapacity: lines.count)
        var rank: UInt32 = 0
        var leftBytes: [UInt8] = []
        var rightBytes: [UInt8] = []
        for (index, var line) in lines.enumerated() {
            let lineNumber = index + 1
            if line.last == 0x0D { line = line.dropLast() }  // CRLF files read the same
            if line.starts(with: "#version".utf8) { continue }
            if line.isEmpty, lineNumber == lines.count { continue }  // the empty string after the final newline
            guard let space = line.firstIndex(of: 0x20), space > line.startIndex, space < line.endIndex - 1,
                !line[(space + 1)...].contains(0x20)
            else {
                throw .malformedFile(path: path, line: lineNumber, reason: "expected two tokens separated by one space")
            }
            // Raw bytes of both parts; the merged token's bytes are their concatenation.
            let first = line[..<space]
            let second = line[(space + 1)...]
            func unknown(_ utf8: ArraySlice<UInt8>) -> TokenizerError {
                .mergeTokenNotInVocabulary(path: path, line: lineNumber, token: String(decoding: utf8, as: UTF8.self))
            }
            guard ByteLevelAlphabet.decode(utf8: first, into: &leftBytes),
                let left = tokensByBytes.value(for: leftBytes)
            else { throw unknown(first) }
            guard ByteLevelAlphabet.decode(utf8: second, into: &rightBytes),
                let right = tokensByBytes.value(for: rightBytes)
            else { throw unknown(second) }
            leftBytes.append(contentsOf: rightBytes)
            guard let merged = tokensByBytes.value(for: leftBytes) else { throw unknown(first + second) }
            guard table.insert(left, right, .init(rank: rank, merged: merged)) else {
                throw .malformedFile(path: path, line: lineNumber, reason: "merge repeats an earlier line")
            }
            rank += 1
        }
        return table
    }
}

/// The bytes of a file, or `unreadableFile` naming it.
func readFile(_ url: URL) throws(TokenizerError) -> [UInt8] {
    if let problem = FileProblem.forReading(url.path) { throw .unreadableFile(path: url.path, reason: problem) }
    do {
        return [UInt8](try Data(contentsOf: url))
    } catch {
        throw .unreadableFile(path: url.path, reason: FileProblem.reason(error, path: url.path, writing: false))
    }
}
