import Foundation

/// Corpus and sentence BLEU exactly as sacreBLEU 2.6.0 computes them (`sacrebleu.metrics.bleu.BLEU`):
/// tokenize → per-segment sufficient statistics (integers) → score from their sum.
///
/// References are per-segment lists and may vary in number. sacreBLEU takes reference *streams*; a segment
/// with fewer references corresponds to `None` in the missing streams, which sacreBLEU drops before
/// counting (an empty string, by contrast, is a real, empty reference). The signature then reads
/// `nrefs:var`.
public struct BLEU: Sendable {
    /// sacreBLEU's smoothing methods (Chen & Cherry 2014): `floor` is method 1, `add-k` method 2, `exp`
    /// (mteval's NIST smoothing) method 3.
    public enum Smoothing: String, CaseIterable, Sendable {
        case exp, floor, none
        case addK = "add-k"

        /// sacreBLEU's `SMOOTH_DEFAULTS`.
        public var defaultValue: Double? {
            switch self {
            case .floor: return 0.1
            case .addK: return 1
            case .exp, .none: return nil
            }
        }
    }

    public var tokenizer: BLEUTokenizer
    public var lowercase: Bool
    public var smoothing: Smoothing
    /// The value for `floor`/`add-k`; nil means the method's default.
    public var smoothValue: Double?
    /// Average only over the n-gram orders the hypotheses have (sacreBLEU's `effective_order`).
    public var effectiveOrder: Bool
    public var maxOrder: Int

    public init(
        tokenizer: BLEUTokenizer = .thirteenA, lowercase: Bool = false, smoothing: Smoothing = .exp,
        smoothValue: Double? = nil, effectiveOrder: Bool = false, maxOrder: Int = 4
    ) {
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.smoothing = smoothing
        self.smoothValue = smoothValue
        self.effectiveOrder = effectiveOrder
        self.maxOrder = maxOrder
    }

    /// Sufficient statistics of one segment or, summed, of a corpus.
    public struct Statistics: Equatable, Sendable {
        public var hypothesisLength: Int
        public var referenceLength: Int
        /// Clipped n-gram matches per order (index 0 = unigrams).
        public var matches: [Int]
        /// Hypothesis n-grams per order.
        public var totals: [Int]

        public init(hypothesisLength: Int, referenceLength: Int, matches: [Int], totals: [Int]) {
            self.hypothesisLength = hypothesisLength
            self.referenceLength = referenceLength
            self.matches = matches
            self.totals = totals
        }

        public static func + (a: Statistics, b: Statistics) -> Statistics {
            Statistics(
                hypothesisLength: a.hypothesisLength + b.hypothesisLength,
                referenceLength: a.referenceLength + b.referenceLength,
                matches: zip(a.matches, b.matches).map(+), totals: zip(a.totals, b.totals).map(+))
        }
    }

    /// A BLEU score with the parts sacreBLEU prints.
    public struct Score: Sendable {
        /// BLEU in [0, 100].
        public var score: Double
        public var statistics: Statistics
        /// n-gram precisions in percent (smoothed as configured).
        public var precisions: [Double]
        public var brevityPenalty: Double
        /// hypothesis length / reference length (0 when the reference length is 0).
        public var ratio: Double
        /// sacreBLEU's verbose part: `p1/p2/p3/p4 (BP = … ratio = … hyp_len = … ref_len = …)`.
        public var verbose: String {
            let precisionText = precisions.map { String(format: "%.1f", $0) }.joined(separator: "/")
            return "\(precisionText) (BP = \(String(format: "%.3f", brevityPenalty)) "
                + "ratio = \(String(format: "%.3f", ratio)) hyp_len = \(statistics.hypothesisLength) "
                + "ref_len = \(statistics.referenceLength))"
        }
    }

    /// Validates the options (sacreBLEU asserts on the smoothing name; orders above 6 exceed `NGram`).
    public func validate() throws {
        guard (1...NGram.maxOrder).contains(maxOrder) else {
            throw MetricsError.invalidOption(
                what: "BLEU max n-gram order", value: "\(maxOrder)", hint: "use 1...\(NGram.maxOrder)")
        }
    }

    /// Per-segment statistics (`_extract_corpus_statistics`).
    public func segmentStatistics(hypotheses: [String], references: [[String]]) throws -> [Statistics] {
        try validate()
        try Corpus.check(hypotheses: hypotheses, references: references)
        let (hyps, refs) = tokenizer.tokenIDs(hypotheses: hypotheses, references: references, lowercase: lowercase)
        var tables = Tables()
        return zip(hyps, refs).map { segmentStatistics(hypothesis: $0, references: $1, tables: &tables) }
    }

    /// Scratch n-gram tables reused across segments.
    struct Tables {
        var references = NGramTable(), single = NGramTable(), hypothesis = NGramTable()
    }

    /// `_extract_reference_info` + `_compute_segment_statistics` on token ids.
    func segmentStatistics(hypothesis: [UInt32], references: [[UInt32]], tables: inout Tables) -> Statistics {
        // Reference n-gram counts merged by maximum over the references (orders share one table: n-grams
        // of different orders never compare equal).
        tables.references.removeAll()
        for reference in references {
            tables.single.removeAll()
            for n in 1...maxOrder { tables.single.addNGrams(of: reference, order: n) }
            tables.single.forEach { gram, count in tables.references.raise(gram, to: count) }
        }
        var matches = [Int](repeating: 0, count: maxOrder)
        var totals = [Int](repeating: 0, count: maxOrder)
        for n in 1...maxOrder {
            tables.hypothesis.removeAll()
            tables.hypothesis.addNGrams(of: hypothesis, order: n)
            tables.hypothesis.forEach { gram, count in
                totals[n - 1] += count
                matches[n - 1] += Swift.min(count, tables.references.count(of: gram))
            }
        }
        return Statistics(
            hypothesisLength: hypothesis.count,
            referenceLength: Self.closestReferenceLength(hypothesis.count, references.map(\.count)),
            matches: matches, totals: totals)
    }

    /// `_get_closest_ref_len`: the reference length nearest the hypothesis length, the shorter on ties.
    static func closestReferenceLength(_ hypothesisLength: Int, _ referenceLengths: [Int]) -> Int {
        var closestDiff = -1, closestLength = -1
        for length in referenceLengths {
            let diff = abs(hypothesisLength - length)
            if closestDiff == -1 || diff < closestDiff {
                closestDiff = diff
                closestLength = length
            } else if diff == closestDiff && length < closestLength {
                closestLength = length
            }
        }
        return closestLength
    }

    /// `corpus_score`: BLEU of the summed statistics.
    public func corpusScore(hypotheses: [String], references: [[String]]) throws -> Score {
        let stats = try segmentStatistics(hypotheses: hypotheses, references: references)
        return score(stats.dropFirst().reduce(stats[0], +))
    }

    /// `sentence_score` with this configuration (sacreBLEU's `sentence_bleu` helper turns
    /// `effectiveOrder` on; do the same for sentence-level use).
    public func sentenceScore(hypothesis: String, references: [String]) throws -> Score {
        try corpusScore(hypotheses: [hypothesis], references: [references])
    }

    /// `compute_bleu` on (summed) statistics with this configuration.
    public func score(_ stats: Statistics) -> Score {
        Self.computeBLEU(
            stats, smoothing: smoothing, smoothValue: smoothValue, effectiveOrder: effectiveOrder, maxOrder: maxOrder)
    }

    /// `BLEU.compute_bleu`, operation for operation so the result is bit-identical.
    public static func computeBLEU(
        _ stats: Statistics, smoothing: Smoothing, smoothValue: Double?, effectiveOrder: Bool, maxOrder: Int
    ) -> Score {
        let value = smoothValue ?? smoothing.defaultValue ?? 0
        let sysLen = stats.hypothesisLength, refLen = stats.referenceLength
        var bp = 1.0
        if sysLen < refLen { bp = sysLen > 0 ? Foundation.exp(1 - Double(refLen) / Double(sysLen)) : 0.0 }
        let ratio = refLen != 0 ? Double(sysLen) / Double(refLen) : 0
        var precisions = [Double](repeating: 0, count: maxOrder)
        if !stats.matches.contains(where: { $0 != 0 }) {
            return Score(score: 0, statistics: stats, precisions: precisions, brevityPenalty: bp, ratio: ratio)
        }
        var correct = stats.matches.map(Double.init), total = stats.totals.map(Double.init)
        var smoothMteval = 1.0
        var effOrder = maxOrder
        for n in 1...maxOrder {
            if smoothing == .addK && n > 1 {
                correct[n - 1] += value
                total[n - 1] += value
            }
            if total[n - 1] == 0 { break }
            if effectiveOrder { effOrder = n }
            if correct[n - 1] == 0 {
                if smoothing == .exp {
                    smoothMteval *= 2
                    precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1])
                } else if smoothing == .floor {
                    precisions[n - 1] = 100.0 * value / total[n - 1]
                }
            } else {
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1]
            }
        }
        // Python's sum() adds left to right from 0; my_log floors log(0) at -9999999999.
        var logSum = 0.0
        for p in precisions[..<effOrder] { logSum += p == 0 ? -9_999_999_999 : Foundation.log(p) }
        let score = bp * Foundation.exp(logSum / Double(effOrder))
        return Score(score: score, statistics: stats, precisions: precisions, brevityPenalty: bp, ratio: ratio)
    }

    /// The sacreBLEU signature, e.g. `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`.
    public func signature(references: [[String]]) -> String {
        var smooth = smoothing.rawValue
        if let defaultValue = smoothing.defaultValue {
            smooth += "[\(String(format: "%.2f", smoothValue ?? defaultValue))]"
        }
        return SacreBLEUSignature.format(
            nrefs: SacreBLEUSignature.nrefs(references),
            fields: [
                ("case", lowercase ? "lc" : "mixed"), ("eff", effectiveOrder ? "yes" : "no"),
                ("tok", tokenizer.rawValue), ("smooth", smooth),
            ])
    }
}
