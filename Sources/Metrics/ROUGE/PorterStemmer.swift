/// nltk 3.10's `PorterStemmer` in its default `NLTK_EXTENSIONS` mode — the stemmer rouge-score 0.1.2 builds
/// with `porter.PorterStemmer()` — ported rule for rule, over ASCII bytes.
///
/// rouge-score only stems its own tokens (`[a-z0-9]+`, longer than 3 characters), so this port takes
/// lowercase ASCII; other bytes are treated as consonants, as nltk treats any non-vowel character.
public enum PorterStemmer {
    private typealias Word = ArraySlice<UInt8>

    /// One suffix rule: `suffix` → `replacement` when `condition(stem)`; `doubleConsonant` is nltk's `*d`.
    private struct Rule: Sendable {
        var suffix: [UInt8]
        var replacement: [UInt8]
        var condition: (@Sendable (Word) -> Bool)?
        var doubleConsonant = false
    }

    /// nltk's `pool` of irregular forms.
    private static let irregular: [[UInt8]: [UInt8]] = {
        let forms: [(String, [String])] = [
            ("sky", ["sky", "skies"]), ("die", ["dying"]), ("lie", ["lying"]), ("tie", ["tying"]),
            ("news", ["news"]), ("inning", ["innings", "inning"]), ("outing", ["outings", "outing"]),
            ("canning", ["cannings", "canning"]), ("howe", ["howe"]), ("proceed", ["proceed"]),
            ("exceed", ["exceed"]), ("succeed", ["succeed"]),
        ]
        var pool = [[UInt8]: [UInt8]]()
        for (key, values) in forms { for value in values { pool[Array(value.utf8)] = Array(key.utf8) } }
        return pool
    }()

    // MARK: - Word shape (consonants, measure, *o, *d)

    @inline(__always) private static func isVowel(_ c: UInt8) -> Bool {
        c == 0x61 || c == 0x65 || c == 0x69 || c == 0x6F || c == 0x75  // a e i o u
    }

    /// `_is_consonant`: `y` is a consonant exactly when the letter before it is not.
    private static func isConsonant(_ w: Word, _ index: Int) -> Bool {
        var i = w.startIndex + index
        if isVowel(w[i]) { return false }
        guard w[i] == 0x79 else { return true }
        var negate = false
        while i > w.startIndex && w[i] == 0x79 {
            negate.toggle()
            i -= 1
        }
        return !isVowel(w[i]) != negate
    }

    /// `_consonant_flags`.
    private static func consonantFlags(_ w: Word) -> [Bool] {
        var flags = [Bool]()
        flags.reserveCapacity(w.count)
        for (k, c) in w.enumerated() {
            if isVowel(c) {
                flags.append(false)
            } else if c == 0x79 {
                flags.append(k == 0 ? true : !flags[k - 1])
            } else {
                flags.append(true)
            }
        }
        return flags
    }

    /// `_measure`: the number of vowel→consonant transitions (m in [C](VC){m}[V]).
    private static func measure(_ w: Word) -> Int {
        let flags = consonantFlags(w)
        var m = 0
        for k in flags.indices.dropFirst() where !flags[k - 1] && flags[k] { m += 1 }
        return m
    }

    private static func containsVowel(_ w: Word) -> Bool { consonantFlags(w).contains(false) }

    /// `*d`.
    private static func endsDoubleConsonant(_ w: Word) -> Bool {
        w.count >= 2 && w[w.endIndex - 1] == w[w.endIndex - 2] && isConsonant(w, w.count - 1)
    }

    /// `*o`, with nltk's extension for two-letter words (vowel + consonant).
    private static func endsCVC(_ w: Word) -> Bool {
        let n = w.count
        if n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1) {
            let last = w[w.endIndex - 1]
            if last != 0x77 && last != 0x78 && last != 0x79 { return true }  // w x y
        }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1)
    }

    private static func endsWith(_ w: Word, _ suffix: [UInt8]) -> Bool {
        w.count >= suffix.count && w.suffix(suffix.count).elementsEqual(suffix)
    }

    private static func dropping(_ w: Word, _ count: Int) -> Word { w.prefix(w.count - count) }

    private static func joined(_ stem: Word, _ tail: [UInt8]) -> Word {
        var out = Array(stem)
        out.append(contentsOf: tail)
        return out[...]
    }

    /// `_apply_rule_list`: the first rule whose suffix matches decides, whether or not its condition holds.
    private static func apply(_ w: Word, _ rules: [Rule]) -> Word {
        for rule in rules {
            if rule.doubleConsonant {
                if endsDoubleConsonant(w) {
                    let stem = dropping(w, 2)
                    return rule.condition.map { $0(stem) } ?? true ? joined(stem, rule.replacement) : w
                }
                continue  // nltk then tests the literal suffix "*d", which no word ends with
            }
            if endsWith(w, rule.suffix) {
                let stem = dropping(w, rule.suffix.count)
                return rule.condition.map { $0(stem) } ?? true ? joined(stem, rule.replacement) : w
            }
        }
        return w
    }

    private static func rule(_ suffix: String, _ replacement: String, _ condition: (@Sendable (Word) -> Bool)? = nil) -> Rule {
        Rule(suffix: Array(suffix.utf8), replacement: Array(replacement.utf8), condition: condition)
    }

    private static let positiveMeasure: @Sendable (Word) -> Bool = { measure($0) > 0 }
    private static let measureAboveOne: @Sendable (Word) -> Bool = { measure($0) > 1 }

    // MARK: - Steps

    private static let step1aRules = [rule("sses", "ss"), rule("ies", "i"), rule("ss", "ss"), rule("s", "")]

    private static func step1a(_ w: Word) -> Word {
        if endsWith(w, Array("ies".utf8)) && w.count == 4 { return joined(dropping(w, 3), Array("ie".utf8)) }
        return apply(w, step1aRules)
    }

    private static func step1b(_ w: Word) -> Word {
        if endsWith(w, Array("ied".utf8)) {
            return joined(dropping(w, 3), Array((w.count == 4 ? "ie" : "i").utf8))
        }
        if endsWith(w, Array("eed".utf8)) {
            let stem = dropping(w, 3)
            return measure(stem) > 0 ? joined(stem, Array("ee".utf8)) : w
        }
        var intermediate: Word?
        for suffix in ["ed", "ing"] where endsWith(w, Array(suffix.utf8)) {
            let stem = dropping(w, suffix.utf8.count)
            if containsVowel(stem) {
                intermediate = stem
                break
            }
        }
        guard let stem = intermediate, let last = stem.last else { return w }
        return apply(
            stem,
            [
                rule("at", "ate"), rule("bl", "ble"), rule("iz", "ize"),
                Rule(
                    suffix: [], replacement: [last], condition: { _ in last != 0x6C && last != 0x73 && last != 0x7A },
                    doubleConsonant: true),
                rule("", "e", { measure($0) == 1 && endsCVC($0) }),
            ])
    }

    private static let step1cRules = [rule("y", "i", { $0.count > 1 && isConsonant($0, $0.count - 1) })]

    private static func step2(_ w: Word) -> Word {
        if endsWith(w, Array("alli".utf8)) && positiveMeasure(dropping(w, 4)) {
            return step2(joined(dropping(w, 4), Array("al".utf8)))
        }
        let logiStem = dropping(w, Swift.min(3, w.count))
        return apply(w, step2Rules + [rule("logi", "log", { _ in positiveMeasure(logiStem) })])
    }

    private static let step2Rules: [Rule] = [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
        ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"),
        ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"),
        ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"), ("fulli", "ful"),
    ].map { rule($0.0, $0.1, positiveMeasure) }

    private static let step3Rules: [Rule] = [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ].map { rule($0.0, $0.1, positiveMeasure) }

    private static let step4Rules: [Rule] = [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
    ].map { rule($0, "", measureAboveOne) }
        + [rule("ion", "", { measure($0) > 1 && ($0.last == 0x73 || $0.last == 0x74) })]
        + ["ou", "ism", "ate", "iti", "ous", "ive", "ize"].map { rule($0, "", measureAboveOne) }

    private static func step5a(_ w: Word) -> Word {
        guard w.last == 0x65 else { return w }
        let stem = dropping(w, 1)
        let m = measure(stem)
        return m > 1 || (m == 1 && !endsCVC(stem)) ? stem : w
    }

    private static func step5b(_ w: Word) -> Word {
        let withoutLast = dropping(w, Swift.min(1, w.count))
        return apply(w, [rule("ll", "l", { _ in measure(withoutLast) > 1 })])
    }

    /// `PorterStemmer().stem(word)` for an ASCII word.
    public static func stem(_ word: String) -> String {
        String(decoding: stem(Array(word.utf8)), as: UTF8.self)
    }

    /// `PorterStemmer.stem(word)` for a lowercase ASCII word.
    static func stem(_ word: [UInt8]) -> [UInt8] {
        let lower = word.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        if let irregular = irregular[lower] { return irregular }
        if word.count <= 2 { return lower }
        var w = lower[...]
        w = step1a(w)
        w = step1b(w)
        w = apply(w, step1cRules)
        w = step2(w)
        w = apply(w, step3Rules)
        w = apply(w, step4Rules)
        w = step5a(w)
        w = step5b(w)
        return Array(w)
    }
}
