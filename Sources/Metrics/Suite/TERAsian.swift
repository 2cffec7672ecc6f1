/// The character classes of sacreBLEU's Tercom `asian_support` (`_normalize_asian`, `_remove_asian_punct`).
///
/// `_normalize_asian` is a series of `re.sub(r"([…])", r" \1 ", s)` passes, each padding single characters with
/// spaces; as the tokens are the whitespace-separated parts afterwards, the passes together equal one padding
/// of their union. Its three Hiragana/Katakana passes anchor on `^` without MULTILINE, i.e. on the start of
/// the text, which after the Western normalisation is always a space: they never match, and are left out.
enum TERAsian {
    /// CJK ideographs, strokes, radicals, compatibility forms, enclosed letters, and the punctuation below.
    @inline(__always) static func isSplit(_ c: UInt32) -> Bool {
        switch c {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF,  // CJK Unified Ideographs and Extension A
            0x31C0...0x31EF, 0x2E80...0x2EFF,  // CJK Strokes, CJK Radicals Supplement
            0x3300...0x33FF, 0xF900...0xFAFF, 0xFE30...0xFE4F,  // CJK Compatibility, Ideographs, Forms
            0x3200...0x3F22:  // sacreBLEU's range for Enclosed CJK Letters and Months (wider than the block)
            return true
        default:
            return isPunctuation(c)
        }
    }

    /// `ASIAN_PUNCT` and `FULL_WIDTH_PUNCT`.
    @inline(__always) static func isPunctuation(_ c: UInt32) -> Bool {
        switch c {
        case 0x3001, 0x3002, 0x3008...0x3011, 0x3014...0x301F, 0xFF61...0xFF65, 0x30FB,
            0xFF0E, 0xFF0C, 0xFF1F, 0xFF1A, 0xFF1B, 0xFF01, 0xFF02, 0xFF08, 0xFF09:
            return true
        default:
            return false
        }
    }
}
