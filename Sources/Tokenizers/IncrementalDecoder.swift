/// Streaming decode: feed ids one at a time (as a generator produces them) and get the text that is
/// complete so far. Bytes of a UTF-8 sequence split across tokens are held back until the sequence
/// completes, so the pieces joined equal `decode(allIDs)` exactly, U+FFFD replacements included.
public struct IncrementalDecoder {
    private let tokenizer: GPT2Tokenizer
    /// Bytes of an unfinished UTF-8 sequence at the end of the output so far (at most 3).
    private var pending: [UInt8] = []
    private var position = 0

    public init(tokenizer: GPT2Tokenizer) {
        self.tokenizer = tokenizer
    }

    /// Adds one id and returns the newly completed text (possibly empty).
    public mutating func append(_ id: Int) throws(TokenizerError) -> String {
        var bytes = pending
        try tokenizer.appendBytes(of: [id], firstPosition: position, to: &bytes)
        position += 1
        let keep = Self.incompleteSuffixLength(bytes)
        pending = Array(bytes[(bytes.count - keep)...])
        return String(decoding: bytes[..<(bytes.count - keep)], as: UTF8.self)
    }

    /// Flushes held-back bytes (an unfinished sequence decodes to U+FFFD) and resets the decoder.
    public mutating func finish() -> String {
        defer {
            pending = []
            position = 0
        }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest suffix that is a proper prefix of some valid UTF-8 sequence: a lead byte
    /// followed by fewer continuation bytes than it needs, each allowed at its place (so `E0 80` or `ED A0`,
    /// which can never complete, are not held back). Cutting there keeps a lossy decode unchanged,
    /// because the held-back lead byte starts a new maximal subpart in the joined bytes as well.
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        for back in 1...min(3, n) {
            let lead = bytes[n - back]
            if lead & 0xC0 == 0x80 { continue }  // a continuation byte: look further back
            let needed: Int
            switch lead {
            case 0xC2...0xDF: needed = 2
            case 0xE0...0xEF: needed = 3
            case 0xF0...0xF4: needed = 4
            default: return 0
            }
            guard back < needed else { return 0 }
            if back >= 2 {
                let second = bytes[n - back + 1]
                let allowed: ClosedRange<UInt8> =
                    switch lead {
                    case 0xE0: 0xA0...0xBF
                    case 0xED: 0x80...0x9F
                    case 0xF0: 0x90...0xBF
                    case 0xF4: 0x80...0x8F
                    default: 0x80...0xBF
                    }
                guard allowed.contains(second) else { return 0 }
            }
            return back
        }
        return 0
    }
}
