/// The mteval-13a substitution passes (`TokenizerRegexp`: punctuation, then period/comma after a
/// non-digit, then period/comma before a non-digit, then dash after a digit) fused into one streaming
/// transducer feeding a token splitter, so tokenizing a segment allocates no intermediate text.
///
/// Each two-character pass is a scanner with one pending character: `re.sub` tests the pair at the
/// current position, replaces and skips both characters on a match, and otherwise emits one character
/// and retries at the next — exactly what "emit the pending character, then treat the new one as fresh"
/// does. `MtevalPasses` keeps the array-at-a-time form (used by tercom's normaliser); the fixtures
/// check this one against sacreBLEU.
struct Mteval13aStream {
    private static let none = UInt32.max
    private var pending2 = none, pending3 = none, pending4 = none
    /// The characters of the token being read.
    private var token: [UInt32] = []
    /// Ids of the tokens completed so far.
    private(set) var ids: [UInt32] = []

    /// Tokenizes `text` (already lowercased, right-stripped, entity- and newline-normalised).
    static func tokenize(_ text: ArraySlice<UInt32>, vocabulary: inout TokenIDs) -> [UInt32] {
        var stream = Mteval13aStream()
        stream.token.reserveCapacity(32)
        stream.ids.reserveCapacity(text.count / 4 + 4)
        stream.pass1(0x20, &vocabulary)  // f" {line} "
        for c in text { stream.pass1(c, &vocabulary) }
        stream.pass1(0x20, &vocabulary)
        stream.finish(&vocabulary)
        return stream.ids
    }

    /// `([\{-\~\[-\` -\&\(-\+\:-\@\/])` → ` \1 `.
    @inline(__always)
    private mutating func pass1(_ c: UInt32, _ v: inout TokenIDs) {
        if MtevalPasses.isMtevalPunct(c) {
            pass2(0x20, &v)
            pass2(c, &v)
            pass2(0x20, &v)
        } else {
            pass2(c, &v)
        }
    }

    /// `([^0-9])([\.,])` → `\1 \2 `.
    @inline(__always)
    private mutating func pass2(_ c: UInt32, _ v: inout TokenIDs) {
        if pending2 != Self.none {
            let p = pending2
            pending2 = Self.none
            if MtevalPasses.isPeriodOrComma(c) {
                pass3(p, &v)
                pass3(0x20, &v)
                pass3(c, &v)
                pass3(0x20, &v)
                return
            }
            pass3(p, &v)
        }
        if MtevalPasses.isDigit(c) { pass3(c, &v) } else { pending2 = c }
    }

    /// `([\.,])([^0-9])` → ` \1 \2`.
    @inline(__always)
    private mutating func pass3(_ c: UInt32, _ v: inout TokenIDs) {
        if pending3 != Self.none {
            let p = pending3
            pending3 = Self.none
            if !MtevalPasses.isDigit(c) {
                pass4(0x20, &v)
                pass4(p, &v)
                pass4(0x20, &v)
                pass4(c, &v)
                return
            }
            pass4(p, &v)
        }
        if MtevalPasses.isPeriodOrComma(c) { pending3 = c } else { pass4(c, &v) }
    }

    /// `([0-9])(-)` → `\1 \2 `.
    @inline(__always)
    private mutating func pass4(_ c: UInt32, _ v: inout TokenIDs) {
        if pending4 != Self.none {
            let p = pending4
            pending4 = Self.none
            if c == 0x2D {
                emit(p, &v)
                emit(0x20, &v)
                emit(c, &v)
                emit(0x20, &v)
                return
            }
            emit(p, &v)
        }
        if MtevalPasses.isDigit(c) { pending4 = c } else { emit(c, &v) }
    }

    /// The final `split()`: whitespace ends a token.
    @inline(__always)
    private mutating func emit(_ c: UInt32, _ v: inout TokenIDs) {
        if PythonText.isSpace(c) {
            if !token.isEmpty {
                ids.append(v.id(token[...]))
                token.removeAll(keepingCapacity: true)
            }
        } else {
            token.append(c)
        }
    }

    /// Flushes the pending characters pass by pass, then the last token.
    private mutating func finish(_ v: inout TokenIDs) {
        if pending2 != Self.none {
            let p = pending2
            pending2 = Self.none
            pass3(p, &v)
        }
        if pending3 != Self.none {
            let p = pending3
            pending3 = Self.none
            pass4(p, &v)
        }
        if pending4 != Self.none {
            let p = pending4
            pending4 = Self.none
            emit(p, &v)
        }
        emit(0x20, &v)
    }
}
