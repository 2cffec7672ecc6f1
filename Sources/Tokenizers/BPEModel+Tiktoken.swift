import Foundation

/// Loading a tiktoken rank file: lines `base64(token bytes) rank`, the id of a token being its rank.
///
/// tiktoken has no merge list: it merges any two adjacent parts whose concatenation is a token, lowest
/// rank first. The same rule in pair form is "for every token T and every split T = L + R where L and R
/// are tokens, the pair (L, R) merges to T with T's rank", which is what the pair table gets here.
extension BPEModel {
    static func load(tiktokenURL: URL, specialTexts: [String]) throws(TokenizerError) -> BPEModel {
        let path = tiktokenURL.path
        let text = try readFile(tiktokenURL)
        var tokens: [(id: Int, token: Token, line: Int)] = []
        var lineOfRank: [Int: Int] = [:]
        for (index, line) in text.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            // tiktoken's `load_tiktoken_bpe`: `line.split()` on any whitespace, empty lines skipped.
            let fields = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            if fields.isEmpty { continue }
            guard fields.count == 2 else {
                throw .malformedFile(path: path, line: lineNumber, reason: "expected `base64-token rank`")
            }
            guard let bytes = Base64.decode(fields[0]) else {
                throw .malformedFile(path: path, line: lineNumber, reason: "token is not valid base64")
            }
            guard let rank = Int(String(decoding: fields[1], as: UTF8.self)), rank >= 0, rank < Int(Int32.max) else {
                throw .malformedFile(path: path, line: lineNumber, reason: "rank is not a non-negative integer")
            }
            if let earlier = lineOfRank.updateValue(lineNumber, forKey: rank) {
                throw .malformedFile(
                    path: path, line: lineNumber, reason: "rank \(rank) repeats the one on line \(earlier)")
            }
            tokens.append((rank, .bytes(bytes), lineNumber))
        }
        // Special tokens take the ids after the ranks, in order (GPT-2: <|endoftext|> = 50256).
        let firstSpecial = (tokens.map(\.id).max() ?? -1) + 1
        for (offset, special) in specialTexts.enumerated() {
            tokens.append((firstSpecial + offset, .added(special), 0))
        }
        return try BPEModel(tokens: tokens, specialTexts: specialTexts, source: path, wholeTokenRule: .all) {
            (byBytes: ByteKeyTable) throws(TokenizerError) -> PairRankTable in
            var table = PairRankTable(minimumCapacity: tokens.count * 4)
            for (id, token, _) in tokens {
                guard case .bytes(let bytes) = token, bytes.count > 1 else { continue }
                bytes.withUnsafeBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    for split in 1..<buffer.count {
                        guard let left = byBytes.value(ByteKey(base, split)),
                            let right = byBytes.value(ByteKey(base + split, buffer.count - split))
                        else { continue }
                        // A pair determines its concatenation, so no pair can be inserted twice.
                        _ = table.insert(left, right, .init(rank: UInt32(id), merged: UInt32(id)))
                    }
                }
            }
            return table
        }
    }
}

/// Standard base64 (RFC 4648, `+/`, `=` padding), as written by Python's `base64.b64encode`.
enum Base64 {
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = Int8(index)
        }
        return table
    }()

    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        var body = Array(text)
        guard body.count % 4 == 0 else { return nil }
        var padding = 0
        while body.last == UInt8(ascii: "="), padding < 2 {
            body.removeLast()
            padding += 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for char in body {
            let value = values[Int(char)]
            guard value >= 0 else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero padding (at most 4 bits: 2 or 3 characters in the last group).
        guard bits < 6, accumulator & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }
}
