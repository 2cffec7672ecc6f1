/// The substitution passes of mteval-v13a (sacreBLEU's `TokenizerRegexp`, `TokenizerV14International` and
/// tercom's normaliser), written as scanners over scalar values.
///
/// Each pass is a Python `re.sub` of a pattern that matches one or two characters. `re.sub` takes the
/// leftmost match, replaces it, and resumes after it, so a two-character pattern consumes both characters;
/// the scanners below advance the same way, which is what makes "a.." or "1,2,3" tokenize identically.
enum MtevalPasses {
    /// `s.replace(old, new)`: non-overlapping, left to right.
    static func replace(_ s: [UInt32], _ old: [UInt32], with new: [UInt32]) -> [UInt32] {
        guard !old.isEmpty, s.count >= old.count else { return s }
        var out = [UInt32]()
        out.reserveCapacity(s.count)
        var i = 0
        let n = s.count, m = old.count
        while i < n {
            if s[i] == old[0] && i + m <= n && s[i..<(i + m)].elementsEqual(old) {
                out.append(contentsOf: new)
                i += m
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// `re.sub(r'(X)', r' \1 ', s)`: pads every character of a class with spaces.
    @inline(__always)
    static func padEach(_ s: [UInt32], where matches: (UInt32) -> Bool) -> [UInt32] {
        var out = [UInt32]()
        out.reserveCapacity(s.count + s.count / 2)
        for c in s {
            if matches(c) {
                out.append(0x20)
                out.append(c)
                out.append(0x20)
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Where a two-character substitution puts spaces: `\1 \2 ` or ` \1 \2`.
    enum PairLayout { case spaceAfterEach, spaceBeforeEach }

    /// `re.sub(r'(A)(B)', layout, s)` for character classes A and B.
    @inline(__always)
    static func splitPairs(
        _ s: [UInt32], first: (UInt32) -> Bool, second: (UInt32) -> Bool, layout: PairLayout
    ) -> [UInt32] {
        var out = [UInt32]()
        out.reserveCapacity(s.count + s.count / 4)
        var i = 0
        let n = s.count
        while i < n {
            if i + 1 < n && first(s[i]) && second(s[i + 1]) {
                switch layout {
                case .spaceAfterEach: out.append(contentsOf: [s[i], 0x20, s[i + 1], 0x20])
                case .spaceBeforeEach: out.append(contentsOf: [0x20, s[i], 0x20, s[i + 1]])
                }
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: ASCII punctuation and symbols except `'`, `,`, `-`, `.`, and also
    /// the space itself (padding a space is harmless; the final split removes it).
    @inline(__always)
    static func isMtevalPunct(_ c: UInt32) -> Bool {
        (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26)
            || (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F
    }

    @inline(__always) static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isPeriodOrComma(_ c: UInt32) -> Bool { c == 0x2E || c == 0x2C }

    /// The shared tail of 13a and tercom normalisation (`TokenizerRegexp` passes 2–4): split a period or
    /// comma from a preceding non-digit, then from a following non-digit, then a dash from a preceding
    /// digit. Passes whose character does not occur are skipped (they would copy the text unchanged).
    static func splitPeriodsCommasDashes(_ s: [UInt32]) -> [UInt32] {
        var t = s
        if t.contains(where: isPeriodOrComma) {
            t = splitPairs(t, first: { !isDigit($0) }, second: isPeriodOrComma, layout: .spaceAfterEach)
            t = splitPairs(t, first: isPeriodOrComma, second: { !isDigit($0) }, layout: .spaceBeforeEach)
        }
        if t.contains(0x2D) { t = splitPairs(t, first: isDigit, second: { $0 == 0x2D }, layout: .spaceAfterEach) }
        return t
    }

    private static let entities: [([UInt32], [UInt32])] = [
        (ascii("&quot;"), ascii("\"")), (ascii("&amp;"), ascii("&")), (ascii("&lt;"), ascii("<")),
        (ascii("&gt;"), ascii(">")),
    ]

    /// `&quot;` `&amp;` `&lt;` `&gt;` unescaped by one `replace` each, in that order (so "&amp;lt;" → "<"),
    /// as both 13a and tercom do.
    static func unescapeEntities(_ s: [UInt32]) -> [UInt32] {
        entities.reduce(s) { text, entity in replace(text, entity.0, with: entity.1) }
    }

    /// Converts an ASCII literal to scalar values.
    static func ascii(_ text: StaticString) -> [UInt32] {
        text.withUTF8Buffer { $0.map { UInt32($0) } }
    }
}
