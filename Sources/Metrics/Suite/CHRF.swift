/// chrF and chrF++ exactly as sacreBLEU 2.6.0 (`sacrebleu.metrics.chrf.CHRF`): character n-gram (and, for
/// chrF++, word n-gram) precision and recall per order, the best reference per segment by its own F-score,
/// and F-beta of the averaged precisions and recalls over the summed statistics.
public struct CHRF: Sendable {
    public var charOrder: Int
    /// 0 for chrF, 2 for chrF++.
    public var wordOrder: Int
    public var beta: Int
    public var lowercase: Bool
    /// Keep whitespace inside character n-grams.
    public var whitespace: Bool
    /// chrF++.py/NLTK-style epsilon smoothing instead of sacreBLEU's effective order.
    public var epsSmoothing: Bool

    public init(
        charOrder: Int = 6, wordOrder: Int = 0, beta: Int = 2, lowercase: Bool = false, whitespace: Bool = false,
        epsSmoothing: Bool = false
    ) {
        self.charOrder = charOrder
        self.wordOrder = wordOrder
        self.beta = beta
        self.lowercase = lowercase
        self.whitespace = whitespace
        self.epsSmoothing = epsSmoothing
    }

    /// chrF++ (`word_order=2`).
    public static let plusPlus = CHRF(wordOrder: 2)

    /// `chrF2`, `chrF2++`: sacreBLEU's score name.
    public var name: String { "chrF\(beta)" + String(repeating: "+", count: wordOrder) }

    public func validate() throws {
        guard (1...NGram.maxOrder).contains(charOrder), (0...NGram.maxOrder).contains(wordOrder) else {
            throw MetricsError.invalidOption(
                what: "chrF orders", value: "char \(charOrder), word \(wordOrder)",
                hint: "use char 1...\(NGram.maxOrder) and word 0...\(NGram.maxOrder)")
        }
    }

    /// Per segment, 3 × (charOrder + wordOrder) integers: [hyp, ref, match] per order.
    public func segmentStatistics(hypotheses: [String], references: [[String]]) throws -> [[Int]] {
        try validate()
        try Corpus.check(hypotheses: hypotheses, references: references)
        var words = TokenIDs()
        var statistics = [[Int]]()
        for (hypothesis, refs) in zip(hypotheses, references) {
            let hyp = ngrams(hypothesis, words: &words)
            var best = [Int](), bestF = -1.0
            for reference in refs {
                let ref = ngrams(reference, words: &words)
                var stats = [Int]()
                stats.reserveCapacity(3 * hyp.count)
                for (h, r) in zip(hyp, ref) { stats += Self.matchStatistics(h, r) }
                let f = fScore(stats)
                if f > bestF {
                    bestF = f
                    best = stats
                }
            }
            statistics.append(best)
        }
        return statistics
    }

    /// chrF of a corpus, in [0, 100].
    public func corpusScore(hypotheses: [String], references: [[String]]) throws -> Double {
        let stats = try segmentStatistics(hypotheses: hypotheses, references: references)
        var total = [Int](repeating: 0, count: stats[0].count)
        for segment in stats { for k in total.indices { total[k] += segment[k] } }
        return fScore(total)
    }

    /// `_get_match_statistics`: hypothesis count (0 when the reference has no n-gram of the order),
    /// reference count, clipped matches.
    static func matchStatistics(_ hyp: [NGram: Int], _ ref: [NGram: Int]) -> [Int] {
        var matches = 0, hypCount = 0
        for (gram, count) in hyp {
            hypCount += count
            if let r = ref[gram] { matches += Swift.min(count, r) }
        }
        return [ref.isEmpty ? 0 : hypCount, ref.values.reduce(0, +), matches]
    }

    /// The n-gram tables of one segment: character orders 1…charOrder, then word orders 1…wordOrder.
    func ngrams(_ segment: String, words: inout TokenIDs) -> [[NGram: Int]] {
        var text = PythonText.scalars(segment)
        if lowercase { text = PythonText.lowercased(text) }
        // extract_all_char_ngrams: ''.join(line.split()) unless whitespace is kept.
        let characters = whitespace ? text : PythonText.splitRanges(text).flatMap { text[$0] }
        var tables = (1...charOrder).map { NGramCounter.counts(characters, order: $0) }
        if wordOrder > 0 {
            var ids = [UInt32]()
            for word in Self.wordsWithPunctuationSplit(text) { ids.append(words.id(word)) }
            tables += (1...wordOrder).map { NGramCounter.counts(ids, order: $0) }
        }
        return tables
    }

    /// `_remove_punctuation`: a word longer than one character loses one trailing (else one leading)
    /// ASCII punctuation mark, which becomes a word of its own.
    static func wordsWithPunctuationSplit(_ text: [UInt32]) -> [ArraySlice<UInt32>] {
        var words = [ArraySlice<UInt32>]()
        for range in PythonText.splitRanges(text) {
            let w = text[range]
            if w.count == 1 {
                words.append(w)
            } else if let last = w.last, isPunct(last) {
                words.append(w.dropLast())
                words.append(w.suffix(1))
            } else if let first = w.first, isPunct(first) {
                words.append(w.prefix(1))
                words.append(w.dropFirst())
            } else {
                words.append(w)
            }
        }
        return words
    }

    /// `CHRF._PUNCTS`: ASCII punctuation `!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~`.
    @inline(__always) static func isPunct(_ c: UInt32) -> Bool {
        (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E)
    }

    /// `_compute_f_score`, operation for operation.
    func fScore(_ statistics: [Int]) -> Double {
        let eps = 1e-16
        var score = 0.0
        var effectiveOrder = 0
        let factor = Double(beta * beta)
        var averagePrecision = 0.0, averageRecall = 0.0
        let order = charOrder + wordOrder
        for i in 0..<order {
            let nHyp = statistics[3 * i], nRef = statistics[3 * i + 1], nMatch = statistics[3 * i + 2]
            let precision = nHyp > 0 ? Double(nMatch) / Double(nHyp) : eps
            let recall = nRef > 0 ? Double(nMatch) / Double(nRef) : eps
            let denominator = factor * precision + recall
            score += denominator > 0 ? (1 + factor) * precision * recall / denominator : eps
            if nHyp > 0 && nRef > 0 {
                averagePrecision += precision
                averageRecall += recall
                effectiveOrder += 1
            }
        }
        if epsSmoothing { return 100 * score / Double(order) }
        if effectiveOrder == 0 {
            averagePrecision = 0
            averageRecall = 0
        } else {
            averagePrecision /= Double(effectiveOrder)
            averageRecall /= Double(effectiveOrder)
        }
        guard averagePrecision + averageRecall != 0 else { return 0 }
        var result = (1 + factor) * averagePrecision * averageRecall
        result /= (factor * averagePrecision) + averageRecall
        return 100 * result
    }

    /// e.g. `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0`.
    public func signature(references: [[String]]) -> String {
        SacreBLEUSignature.format(
            nrefs: SacreBLEUSignature.nrefs(references),
            fields: [
                ("case", lowercase ? "lc" : "mixed"), ("eff", epsSmoothing ? "no" : "yes"), ("nc", "\(charOrder)"),
                ("nw", "\(wordOrder)"), ("space", whitespace ? "yes" : "no"),
            ])
    }
}
