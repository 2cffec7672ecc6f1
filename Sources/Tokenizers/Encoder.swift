#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What to do with special-token text such as `<|endoftext|>` found in the input.
public enum SpecialTokenPolicy: String, Sendable, CaseIterable {
    /// Map it to its special id (HF `tokenizer(text)`, tiktoken `allowed_special="all"`).
    case allow
    /// Encode it like any other text (`<|`, `endoftext`, `|>`; tiktoken `encode_ordinary`).
    case text
    /// Throw `TokenizerError.disallowedSpecialToken` naming where it is (tiktoken's default check).
    case reject
}

/// The encoding loop over UTF-8 bytes: special-token splitting, pre-tokenization, then per piece the
/// whole-token table, the word cache, and finally byte-pair merging. No `String` is built per piece.
struct Encoder: @unchecked Sendable {
    // @unchecked: `bmpTable` points to the immutable, never-freed `CharacterClass.bmpTable`.
    let model: BPEModel
    let bmpTable: UnsafePointer<UInt8>

    /// Appends the ids of `bytes` to `out`. `text` is the batch index used in error messages.
    func encode(
        _ bytes: UnsafeBufferPointer<UInt8>, special: SpecialTokenPolicy, text: Int?, cache: inout WordCache,
        into out: inout [Int]
    ) throws(TokenizerError) {
        switch special {
        case .text:
            encodeOrdinary(bytes, cache: &cache, into: &out)
        case .reject:
            if let (position, token) = firstSpecial(in: bytes, from: 0) {
                let before = UnsafeBufferPointer(rebasing: bytes[..<position])
                let lineStart = (before.lastIndex(of: 0x0A) ?? -1) + 1
                throw .disallowedSpecialToken(
                    token: token.text, text: text, line: before.count(where: { $0 == 0x0A }) + 1,
                    byteOffset: position - lineStart)
            }
            encodeOrdinary(bytes, cache: &cache, into: &out)
        case .allow:
            var start = 0
            while let (position, token) = firstSpecial(in: bytes, from: start) {
                encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[start..<position]), cache: &cache, into: &out)
                out.append(token.id)
                start = position + token.bytes.count
            }
            encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[start...]), cache: &cache, into: &out)
        }
    }

    /// The leftmost special token at or after `from` (the longest one if several start there).
    private func firstSpecial(in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> (Int, BPEModel.SpecialToken)? {
        guard let base = bytes.baseAddress else { return nil }
        var best: (Int, BPEModel.SpecialToken)?
        for special in model.specials {
            guard let first = special.bytes.first else { continue }
            var position = from
            while position + special.bytes.count <= bytes.count {
                // memchr jumps to the next candidate first byte; most text has none.
                guard let hit = memchr(base + position, Int32(first), bytes.count - position) else { break }
                let candidate = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if candidate + special.bytes.count > bytes.count { break }
                if UnsafeBufferPointer(start: base + candidate, count: special.bytes.count).elementsEqual(special.bytes)
                {
                    let better = best.map {
                        candidate < $0.0 || (candidate == $0.0 && special.bytes.count > $0.1.bytes.count)
                    }
                    if better ?? true { best = (candidate, special) }
                    break
                }
                position = candidate + 1
            }
        }
        return best
    }

    /// Pieces scanned ahead of their lookups. The whole-token table (50k keys, ~3 MB) does not fit in L2,
    /// so lookups are cache misses; issuing a block of independent lookups lets the CPU overlap them.
    private static let block = 32

    /// Pre-tokenizes and encodes text that contains no special tokens to honour.
    func encodeOrdinary(_ bytes: UnsafeBufferPointer<UInt8>, cache: inout WordCache, into out: inout [Int]) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let scanner = PreTokenizer(bytes: bytes, bmpTable: bmpTable)
        let whole = model.wholeTokens
        withUnsafeTemporaryAllocation(of: ByteKey.self, capacity: Self.block) { keys in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.block) { found in
                var i = 0
                while i < bytes.count {
                    var n = 0
                    while n < Self.block, i < bytes.count {
                        let end = scanner.end(of: i)
                        keys.initializeElement(at: n, to: ByteKey(base + i, end - i, available: bytes.count - i))
                        i = end
                        n += 1
                    }
                    for k in 0..<n { found[k] = whole.value(keys[k]) ?? .max }
                    for k in 0..<n {
                        if found[k] != .max {
                            out.append(Int(found[k]))
                        } else if !cache.append(keys[k], to: &out) {
                            cache.scratch.removeAll(keepingCapacity: true)
                            model.merger.merge(keys[k].base, count: keys[k].length, into: &cache.scratch)
                            for id in cache.scratch { out.append(Int(id)) }
                            cache.storeScratch(keys[k])
                        }
                    }
                }
            }
        }
    }
}
