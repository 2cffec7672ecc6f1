/// rouge-score 0.1.2's `DefaultTokenizer`: `text.lower()`, every run of characters outside `[a-z0-9]`
/// becomes a space, split, Porter-stem the tokens longer than 3 characters (optional), drop empty tokens.
///
/// Tokens become ids; stems are memoised per distinct token (rouge-score stems every occurrence anew —
/// same result, much less work). One instance serves a whole corpus; it is not thread-safe.
final class RougeTokenizer {
    let useStemmer: Bool
    private var ids = TokenIDs()
    /// Stemmed id per raw token id (`UInt32.max` = not computed yet).
    private var stemmedID = [UInt32]()
    /// Id of the empty token, which the final validity filter drops.
    private lazy var emptyID: UInt32 = ids.id([][...])

    init(useStemmer: Bool) { self.useStemmer = useStemmer }

    /// The tokens of each newline-separated line of `text` (rougeLsum's sentences); the concatenation is
    /// the tokenization of the whole text, since a newline is itself a separator.
    func sentences(_ text: String) -> [[UInt32]] {
        var sentences = [[UInt32]]()
        var current = [UInt32]()
        var token = [UInt32]()
        func endToken() {
            if !token.isEmpty {
                if let id = finish(token) { current.append(id) }
                token.removeAll(keepingCapacity: true)
            }
        }
        for scalar in text.unicodeScalars {
            let c = scalar.value
            if c == 0x0A {
                endToken()
                sentences.append(current)
                current = []
            } else if c < 0x80 {
                let lower = c >= 0x41 && c <= 0x5A ? c + 0x20 : c
                if Self.isTokenCharacter(lower) { token.append(lower) } else { endToken() }
            } else {
                // `str.lower()` can map a non-ASCII character into [a-z0-9] (U+212A KELVIN SIGN → "k",
                // U+0130 → "i" + U+0307), so apply it; a capital sigma lowers to a non-ASCII letter either way.
                var lowered = [UInt32]()
                PythonText.appendLowercase(of: c, to: &lowered)
                for l in lowered { if Self.isTokenCharacter(l) { token.append(l) } else { endToken() } }
            }
        }
        endToken()
        sentences.append(current)
        return sentences
    }

    /// All tokens of `text` as strings (rouge-score's `tokenize`).
    func tokenStrings(_ text: String) -> [String] {
        sentences(text).joined().map { PythonText.string(ids.token($0)) }
    }

    @inline(__always) private static func isTokenCharacter(_ c: UInt32) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
    }

    /// The id of a raw token after optional stemming, or nil when the stem is empty.
    private func finish(_ token: [UInt32]) -> UInt32? {
        let raw = ids.id(token[...])
        guard useStemmer, token.count > 3 else { return raw }
        if Int(raw) >= stemmedID.count { stemmedID.append(contentsOf: repeatElement(.max, count: Int(raw) + 1 - stemmedID.count)) }
        if stemmedID[Int(raw)] == .max {
            let stem = PorterStemmer.stem(token.map { UInt8(truncatingIfNeeded: $0) })
            stemmedID[Int(raw)] = ids.id(stem.map { UInt32($0) }[...])
        }
        let id = stemmedID[Int(raw)]
        return id == emptyID ? nil : id
    }
}
