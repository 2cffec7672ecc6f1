import Foundation

/// Loading the Hugging Face / OpenAI layout: `vocab.json` (token string → id) and `merges.txt`
/// (`#version: …` header, then one `A B` merge per line; rank = order in the file).
extension BPEModel {
    static func load(vocabURL: URL, mergesURL: URL, specialTexts: [String]) throws(TokenizerError) -> BPEModel {
        let vocabPath = vocabURL.path
        let entries = try VocabularyJSONReader.read(try readFile(vocabURL), path: vocabPath)
        var tokens: [(id: Int, token: Token)] = []
        tokens.reserveCapacity(entries.count)
        var lineOfID: [Int: Int] = [:]
        var lineOfKey = ByteKeyTable(minimumCapacity: entries.count)
        for entry in entries {
            if let earlier = lineOfKey.insert(entry.key, value: UInt32(entry.line)) {
                throw .malformedFile(path: vocabPath, line: entry.line, reason: "token repeats the one on line \(earlier)")
            }
            if let earlier = lineOfID[entry.id] {
                throw .malformedFile(path: vocabPath, line: entry.line, reason: "id \(entry.id) repeats the one on line \(earlier)")
            }
            lineOfID[entry.id] = entry.line
            guard let text = String(validating: entry.key, as: UTF8.self) else {
                throw .malformedFile(path: vocabPath, line: entry.line, reason: "token string is not valid UTF-8")
            }
            if let bytes = ByteLevelAlphabet.bytes(of: text.unicodeScalars) {
                tokens.append((entry.id, .bytes(bytes)))
            } else {
                tokens.append((entry.id, .added(text)))
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
        var table = PairRankTable(minimumCapacity: 65536)
        var rank: UInt32 = 0
        let lines = merges.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (index, var line) in lines.enumerated() {
            let lineNumber = index + 1
            if line.last == 0x0D { line = line.dropLast() }  // CRLF files read the same
            if line.starts(with: "#version".utf8) { continue }
            if line.isEmpty, lineNumber == lines.count { continue }  // the empty string after the final newline
            let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .malformedFile(path: path, line: lineNumber, reason: "expected two tokens separated by one space")
            }
            func id(_ utf8: ArraySlice<UInt8>) throws(TokenizerError) -> UInt32 {
                let text = String(decoding: utf8, as: UTF8.self)
                guard let bytes = ByteLevelAlphabet.bytes(of: text.unicodeScalars), let id = tokensByBytes.value(for: bytes)
                else { throw .mergeTokenNotInVocabulary(path: path, line: lineNumber, token: text) }
                return UInt32(id)
            }
            let left = try id(parts[0])
            let right = try id(parts[1])
            let merged = try id(parts[0] + parts[1])
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
    do {
        return [UInt8](try Data(contentsOf: url))
    } catch {
        throw .unreadableFile(path: url.path, reason: (error as NSError).localizedDescription)
    }
}
