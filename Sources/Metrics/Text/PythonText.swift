import Foundation

/// Python `str` semantics that the reference metrics depend on, over Unicode scalar values.
///
/// Python indexes strings by code point and compares them code point by code point, while Swift's `String`
/// compares grapheme clusters under canonical equivalence ("é" == "e\u{301}"). Every metric here therefore
/// works on `[UInt32]` scalar arrays, and this file reproduces the few `str` methods the references call:
/// `split()`, `rstrip()`, `strip()` and `lower()`.
public enum PythonText {
    /// The Unicode version of Python 3.11's `unicodedata` (the reference environment). Characters assigned
    /// later are unassigned to Python, so `lower()` leaves them alone; Swift's tables are newer.
    static let pythonUnicodeVersion = (major: 14, minor: 0)

    /// The scalar values of `text`.
    public static func scalars(_ text: String) -> [UInt32] {
        var text = text
        // Native strings are contiguous UTF-8 (made so if bridged); decoding the bytes directly is several
        // times faster than the `unicodeScalars` iterator. A `String` always holds valid UTF-8.
        return text.withUTF8 { bytes in
            [UInt32](unsafeUninitializedCapacity: bytes.count) { out, count in
                var i = 0, k = 0
                let n = bytes.count
                while i < n {
                    let b0 = UInt32(bytes[i])
                    if b0 < 0x80 {
                        out[k] = b0
                        i += 1
                    } else if b0 < 0xE0 {
                        out[k] = (b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                        i += 2
                    } else if b0 < 0xF0 {
                        out[k] = (b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                        i += 3
                    } else {
                        out[k] = (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
                            | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F)
                        i += 4
                    }
                    k += 1
                }
                count = k
            }
        }
    }

    /// Builds a `String` from scalar values (values that are not scalars cannot occur: inputs come from
    /// `String`s and the transformations here only insert ASCII).
    public static func string(_ scalars: some Sequence<UInt32>) -> String {
        var view = String.UnicodeScalarView()
        for value in scalars { if let scalar = Unicode.Scalar(value) { view.append(scalar) } }
        return String(view)
    }

    /// `Py_UNICODE_ISSPACE`: the characters `str.split()` and `str.strip()` treat as whitespace
    /// (bidi class WS/B/S or category Zs). Note U+200B and U+FEFF are not among them.
    @inline(__always)
    public static func isSpace(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) }
        switch c {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// `str.split()` without arguments: the ranges of the maximal runs of non-whitespace.
    public static func splitRanges(_ s: [UInt32]) -> [Range<Int>] {
        var ranges = [Range<Int>]()
        var i = 0
        let n = s.count
        while i < n {
            while i < n && isSpace(s[i]) { i += 1 }
            if i == n { break }
            let start = i
            while i < n && !isSpace(s[i]) { i += 1 }
            ranges.append(start..<i)
        }
        return ranges
    }

    /// `str.rstrip()` without arguments.
    public static func rstripped(_ s: [UInt32]) -> [UInt32] {
        var end = s.count
        while end > 0 && isSpace(s[end - 1]) { end -= 1 }
        return end == s.count ? s : Array(s[..<end])
    }

    /// `str.strip()` without arguments.
    public static func stripped(_ s: ArraySlice<UInt32>) -> ArraySlice<UInt32> {
        var start = s.startIndex
        var end = s.endIndex
        while start < end && isSpace(s[start]) { start += 1 }
        while end > start && isSpace(s[end - 1]) { end -= 1 }
        return s[start..<end]
    }

    /// `str.lower()`: full lowercase mappings (so "İ" becomes "i̇", two scalars) and the Final_Sigma rule
    /// for "Σ", restricted to the characters Python 3.11 knows.
    public static func lowercased(_ s: [UInt32]) -> [UInt32] {
        var out = [UInt32]()
        out.reserveCapacity(s.count)
        for i in s.indices {
            let c = s[i]
            if c < 0x80 {
                out.append(c >= 0x41 && c <= 0x5A ? c + 0x20 : c)
            } else if c == 0x3A3 {
                out.append(isFinalSigma(s, at: i) ? 0x3C2 : 0x3C3)
            } else {
                appendLowercase(of: c, to: &out)
            }
        }
        return out
    }

    /// Appends the lowercase mapping of one non-sigma scalar.
    @inline(__always)
    static func appendLowercase(of c: UInt32, to out: inout [UInt32]) {
        guard let scalar = Unicode.Scalar(c), knownToPython(scalar), scalar.properties.changesWhenLowercased
        else {
            out.append(c)
            return
        }
        for mapped in scalar.properties.lowercaseMapping.unicodeScalars { out.append(mapped.value) }
    }

    /// Whether Python 3.11's Unicode database has the character (assigned in Unicode ≤ 14.0).
    static func knownToPython(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < pythonUnicodeVersion.major
            || (age.major == pythonUnicodeVersion.major && age.minor <= pythonUnicodeVersion.minor)
    }

    /// CPython's `handle_capital_sigma`: Σ is final when a cased letter precedes it (skipping
    /// case-ignorable characters) and none follows it.
    static func isFinalSigma(_ s: [UInt32], at i: Int) -> Bool {
        var j = i - 1
        var c: UInt32 = 0
        while j >= 0 {
            c = s[j]
            if !isCaseIgnorable(c) { break }
            j -= 1
        }
        var finalSigma = j >= 0 && isCased(c)
        if finalSigma && i + 1 < s.count {
            j = i + 1
            while j < s.count {
                c = s[j]
                if !isCaseIgnorable(c) { break }
                j += 1
            }
            finalSigma = j == s.count || !isCased(c)
        }
        return finalSigma
    }

    static func isCased(_ c: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(c), knownToPython(scalar) else { return false }
        return scalar.properties.isCased
    }

    static func isCaseIgnorable(_ c: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(c), knownToPython(scalar) else { return false }
        return scalar.properties.isCaseIgnorable
    }
}
