import CUTF8Proc

/// The four classes the GPT-2 pre-tokenizer regex distinguishes: `\p{L}`, `\p{N}`, `\s` and the rest.
///
/// Letters and numbers come from utf8proc's general category (L* and N*). `\s` is the Unicode
/// White_Space property — what Python `regex`, tiktoken (Rust `regex`) and HF tokenizers (Oniguruma) all use:
/// `\t \n \v \f \r`, space, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
/// Not included (and so "other"): the separators U+001C–U+001F that Python's `str.isspace` counts,
/// U+180E, U+200B and U+FEFF. Checked against Python `regex`, tiktoken and HF over all code points: they agree
/// on every code point assigned in Unicode 15.0 (utf8proc 2.8's version); they differ only on code points
/// assigned later (HF/tiktoken use Unicode 16, Python `regex` 17), which utf8proc calls unassigned → "other".
enum CharacterClass: UInt8 {
    case letter = 0
    case number = 1
    case whitespace = 2
    case other = 3

    /// The White_Space code points (stable since Unicode 6.3, when U+180E left the set).
    static let whitespaceScalars: Set<UInt32> = [
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680,
        0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
        0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    ]

    /// Classifies any code point with utf8proc (slow path; the pre-tokenizer uses `bmpTable` below U+10000).
    static func of(_ scalar: UInt32) -> CharacterClass {
        if whitespaceScalars.contains(scalar) { return .whitespace }
        switch utf8proc_category(utf8proc_int32_t(bitPattern: scalar)) {
        case UTF8PROC_CATEGORY_LU, UTF8PROC_CATEGORY_LL, UTF8PROC_CATEGORY_LT, UTF8PROC_CATEGORY_LM,
            UTF8PROC_CATEGORY_LO:
            return .letter
        case UTF8PROC_CATEGORY_ND, UTF8PROC_CATEGORY_NL, UTF8PROC_CATEGORY_NO:
            return .number
        default:
            return .other
        }
    }

    /// Class of every code point below U+10000 (64 KB), so the hot loop never calls into utf8proc for
    /// text in the Basic Multilingual Plane. Built once per process.
    /// Allocated once and never freed, so the encoder can hold a plain pointer to it.
    nonisolated(unsafe) static let bmpTable: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
        for scalar in 0..<0x10000 { table[scalar] = of(UInt32(scalar)).rawValue }
        return UnsafePointer(table)
    }()
}
