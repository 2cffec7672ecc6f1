/// The mteval-13a substitution passes (`TokenizerRegexp`: punctuation, then period/comma after a
/// non-digit, then period/comma before a non-digit, then dash after a digit) fused into one streaming
/// transducer feeding a token splitter, so tokenizing a segment allocates no intermediate text.
///
/// Each two-character pass is a scanner with one pending character: `re.sub` tests the pair at the
/// current position, replaces and skips both characters on a match, and otherwise emits one character
/// and retries at the next — exactly what "emit the pending character, then treat the new one as fresh"
/// does. The passes only insert spaces and never reorder characters, so every token is a contiguous run
/// of the input: inserted spaces travel as `inserted` (a value no scalar has, classed like a space by
/// every pass) and the splitter interns input ranges without copying them. `MtevalPasses` keeps the
/// array-at-a-time form (used by tercom's normaliser); the fixtures check both against sacreBLEU.
/// (The passes are not forced inline: each calls the next up to five times, so forcing every level
/// would multiply the code some 375-fold.)
struct Mteval13aStream {
    private static let none = UInt32.max
    /// A space the passes inserted (the input's own spaces are real scalars).
    private static let inserted = UInt32.max - 1

    private let text: UnsafeBufferPointer<UInt32>
    private var pending2 = none, pending3 = none, pending4 = none
    /// Index in `text` of the next input character to come out of the passes.
    private var next = 0
    /// Start of the token being read, or -1.
    private var tokenStart = -1
    /// Ids of the tokens completed so far.
    private var ids: [UInt32] = []

    private init(_ text: UnsafeBufferPointer<UInt32>) { self.text = text }

    /// Tokenizes `text` (already lowercased, right-stripped, entity- and newline-normalised).
    static func tokenize(_ text: ArraySlice<UInt32>, vocabulary: inout TokenIDs) -> [UInt32] {
        text.withUnsafeBufferPointer { buffer in
            var stream = Mteval13aStream(buffer)
            stream.ids.reserveCapacity(buffer.count / 4 + 4)
            stream.pass1(inserted, &vocabulary)  // f" {line} "
            for c in buffer { stream.pass1(c, &vocabulary) }
            stream.pass1(inserted, &vocabulary)
            stream.finish(&vocabulary)
            return stream.ids
        }
    }

    /// `([\{-\~\[-\` -\&\(-\+\:-\@\/])` → ` \1 `. (A real space is in the class too; padding it only adds
    /// spaces next to a space, which changes no later match and no token.)
    private mutating func pass1(_ c: UInt32, _ v: inout TokenIDs) {
        if MtevalPasses.isMtevalPunct(c) {
            pass2(Self.inserted, &v)
            pass2(c, &v)
            pass2(Self.inserted, &v)
        } else {
            pass2(c, &v)
        }
    }

    /// `([^0-9])([\.,])` → `\1 \2 `.
    private mutating func pass2(_ c: UInt32, _ v: inout TokenIDs) {
        if pending2 != Self.none {
            let p = pending2
            pending2 = Self.none
            if MtevalPasses.isPeriodOrComma(c) {
                pass3(p, &v)
                pass3(Self.inserted, &v)
                pass3(c, &v)
                pass3(Self.inserted, &v)
                return
            }
            pass3(p, &v)
        }
        if MtevalPasses.isDigit(c) { pass3(c, &v) } else { pending2 = c }
    }

    /// `([\.,])([^0-9])` → ` \1 \2`.
    private mutating func pass3(_ c: UInt32, _ v: inout TokenIDs) {
        if pending3 != Self.none {
            let p = pending3
            pending3 = Self.none
            if !MtevalPasses.isDigit(c) {
                pass4(Self.inserted, &v)
                pass4(p, &v)
                pass4(Self.inserted, &v)
                pass4(c, &v)
                return
            }
            pass4(p, &v)
        }
        if MtevalPasses.isPeriodOrComma(c) { pending3 = c } else { pass4(c, &v) }
    }

    /// `([0-9])(-)` → `\1 \2 `.
    private mutating func pass4(_ c: UInt32, _ v: inout TokenIDs) {
        if pending4 != Self.none {
            let p = pending4
            pending4 = Self.none
            if c == 0x2D {
                emit(p, &v)
                emit(Self.inserted, &v)
                emit(c, &v)
                emit(Self.inserted, &v)
                return
            }
            emit(p, &v)
        }
        if MtevalPasses.isDigit(c) { pending4 = c } else { emit(c, &v) }
    }

    /// The final `split()`: a space (inserted or the input's own) ends a token.
    @inline(__always)
    private mutating func emit(_ c: UInt32, _ v: inout TokenIDs) {
        if c == Self.inserted {
            endToken(at: next, &v)
            return
        }
        let index = next
        next += 1
        if PythonText.isSpace(c) {
            endToken(at: index, &v)
        } else if tokenStart < 0 {
            tokenStart = index
        }
    }

    /// Interns `text[tokenStart ..< end]` if a token is open.
    private mutating func endToken(at end: Int, _ v: inout TokenIDs) {
        guard tokenStart >= 0 else { return }
        ids.append(v.id(UnsafeBufferPointer(rebasing: text[tokenStart..<end])))
        tokenStart = -1
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
        endToken(at: next, &v)
    }
}
