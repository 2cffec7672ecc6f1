/// sacreBLEU 2.6.0's BLEU tokenizers. Each maps a (lowercased, right-stripped) segment to the text whose
/// whitespace-separated parts are the tokens.
public enum BLEUTokenizer: String, CaseIterable, Sendable {
    /// `Tokenizer13a`: mteval-v13a's western tokenization (the WMT default).
    case thirteenA = "13a"
    /// `TokenizerV14International`: mteval-v14 with Unicode punctuation and symbol classes.
    case intl
    /// `TokenizerChar`: every non-space character is a token.
    case char
    /// `NoneTokenizer`: split on whitespace only.
    case none

    /// The tokenized text (its Python `split()` gives the tokens).
    public func tokenize(_ line: [UInt32]) -> [UInt32] {
        switch self {
        case .thirteenA: return Self.tokenize13a(line)
        case .intl: return Self.tokenizeIntl(line)
        case .char:
            // " ".join(line): whitespace characters end up as separators of their own.
            var out = [UInt32]()
            out.reserveCapacity(line.count * 2)
            for (k, c) in line.enumerated() {
                if k > 0 { out.append(0x20) }
                out.append(c)
            }
            return out
        case .none: return line
        }
    }

    /// sacreBLEU's `_preprocess_segment` followed by `split()`: lowercase (optionally), strip trailing
    /// whitespace, tokenize, and intern the tokens. NIST and CIDEr reuse it so all word metrics see the
    /// same tokens.
    func tokenIDs(_ segment: String, lowercase: Bool, ids: inout TokenIDs) -> [UInt32] {
        var text = PythonText.scalars(segment)
        if lowercase { text = PythonText.lowercased(text) }
        if self == .thirteenA {
            var end = text.count
            while end > 0 && PythonText.isSpace(text[end - 1]) { end -= 1 }
            return Mteval13aStream.tokenize(Self.normalize13a(text[..<end]), vocabulary: &ids)
        }
        return ids.ids(splitting: tokenize(PythonText.rstripped(text)))
    }

    /// The tokens BLEU counts for `segment`: `_preprocess_segment(segment).split()`, through the same
    /// (for 13a, streaming) path as scoring.
    public func tokens(_ segment: String, lowercase: Bool = false) -> [String] {
        var ids = TokenIDs()
        return tokenIDs(segment, lowercase: lowercase, ids: &ids).map { PythonText.string(ids.token($0)) }
    }

    /// A whole corpus tokenized into ids over one shared vocabulary.
    func tokenIDs(hypotheses: [String], references: [[String]], lowercase: Bool) -> ([[UInt32]], [[[UInt32]]]) {
        var ids = TokenIDs()
        var hyps = [[UInt32]](), refs = [[[UInt32]]]()
        hyps.reserveCapacity(hypotheses.count)
        refs.reserveCapacity(references.count)
        for (hypothesis, segmentReferences) in zip(hypotheses, references) {
            hyps.append(tokenIDs(hypothesis, lowercase: lowercase, ids: &ids))
            var tokenized = [[UInt32]]()
            for reference in segmentReferences { tokenized.append(tokenIDs(reference, lowercase: lowercase, ids: &ids)) }
            refs.append(tokenized)
        }
        return (hyps, refs)
    }

    private static let skipped = MtevalPasses.ascii("<skipped>")
    private static let hyphenNewline = MtevalPasses.ascii("-\n")
    private static let entities: [([UInt32], [UInt32])] = [
        (MtevalPasses.ascii("&quot;"), MtevalPasses.ascii("\"")),
        (MtevalPasses.ascii("&amp;"), MtevalPasses.ascii("&")),
        (MtevalPasses.ascii("&lt;"), MtevalPasses.ascii("<")),
        (MtevalPasses.ascii("&gt;"), MtevalPasses.ascii(">")),
    ]

    /// 13a's language-independent part: drop `<skipped>`, join hyphenated line breaks, newlines to spaces,
    /// unescape four XML entities (each `str.replace` in turn, so "&amp;lt;" becomes "<").
    static func normalize13a(_ line: ArraySlice<UInt32>) -> ArraySlice<UInt32> {
        guard line.contains(where: { $0 == 0x3C || $0 == 0x0A || $0 == 0x26 }) else { return line }
        var s = Array(line)
        if s.contains(0x3C) { s = MtevalPasses.replace(s, skipped, with: []) }
        if s.contains(0x0A) {
            s = MtevalPasses.replace(s, hyphenNewline, with: [])
            s = s.map { $0 == 0x0A ? 0x20 : $0 }
        }
        if s.contains(0x26) {
            for (entity, replacement) in entities { s = MtevalPasses.replace(s, entity, with: replacement) }
        }
        return s[...]
    }

    static func tokenize13a(_ line: [UInt32]) -> [UInt32] {
        var s = line
        if s.contains(0x3C) { s = MtevalPasses.replace(s, skipped, with: []) }
        if s.contains(0x0A) {
            s = MtevalPasses.replace(s, hyphenNewline, with: [])
            s = s.map { $0 == 0x0A ? 0x20 : $0 }
        }
        if s.contains(0x26) {
            for (entity, replacement) in entities { s = MtevalPasses.replace(s, entity, with: replacement) }
        }
        // f" {line} " and the punctuation pass in one sweep.
        var punct = [UInt32]()
        punct.reserveCapacity(s.count + s.count / 2 + 2)
        punct.append(0x20)
        for c in s {
            if MtevalPasses.isMtevalPunct(c) {
                punct.append(0x20)
                punct.append(c)
                punct.append(0x20)
            } else {
                punct.append(c)
            }
        }
        punct.append(0x20)
        return MtevalPasses.splitPeriodsCommasDashes(punct)
    }

    static func tokenizeIntl(_ line: [UInt32]) -> [UInt32] {
        var s = MtevalPasses.splitPairs(
            line, first: { !UnicodeClasses.isNumber($0) }, second: UnicodeClasses.isPunctuation,
            layout: .spaceAfterEach)
        s = MtevalPasses.splitPairs(
            s, first: UnicodeClasses.isPunctuation, second: { !UnicodeClasses.isNumber($0) },
            layout: .spaceBeforeEach)
        return MtevalPasses.padEach(s, where: UnicodeClasses.isSymbol)
    }
}
