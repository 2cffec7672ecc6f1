/// Strict UTF-8 per RFC 3629, as Python's codec reads it: no overlong forms, no surrogates, nothing above
/// U+10FFFF, no truncated sequences.
public enum UTF8Validation {
    /// The offset of the first byte that does not start a well-formed sequence, or nil if all is valid.
    public static func firstInvalidOffset(in bytes: ArraySlice<UInt8>) -> Int? {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            // Sequence length and the allowed range of the second byte (which rules out overlongs,
            // surrogates and code points above U+10FFFF).
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard end - i >= length else { return i }
            let b1 = bytes[i + 1]
            guard b1 >= low && b1 <= high else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}

extension TextFile {
    /// The bytes in `range` as a string. Invalid UTF-8 is an error at the line and column of the first bad
    /// byte, lines counted from `anchorLine`, the line of offset `anchor` (at or before `range`).
    public func text(_ range: Range<Int>, anchor: Int, anchorLine: Int) throws(TextInputError) -> String {
        let slice = bytes[range]
        if let bad = UTF8Validation.firstInvalidOffset(in: slice) {
            throw invalidUTF8(at: bad, anchor: anchor, anchorLine: anchorLine)
        }
        return String(decoding: slice, as: UTF8.self)
    }

    /// The whole file as a string (for formats that are read in one piece: templates, XML, JSON documents).
    public func text() throws(TextInputError) -> String {
        try text(0..<bytes.count, anchor: 0, anchorLine: 1)
    }

    /// Checks the whole file, for parsers that cannot resume after a bad byte and would report it poorly.
    public func validateUTF8() throws(TextInputError) {
        if let bad = UTF8Validation.firstInvalidOffset(in: bytes[...]) {
            throw invalidUTF8(at: bad, anchor: 0, anchorLine: 1)
        }
    }

    /// The error for the bad byte at `offset`.
    func invalidUTF8(at offset: Int, anchor: Int, anchorLine: Int) -> TextInputError {
        let (line, column) = location(ofByte: offset, anchor: anchor, anchorLine: anchorLine)
        return .invalidUTF8(file: name, line: line, column: column, byte: bytes[offset])
    }
}
