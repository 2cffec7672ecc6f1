/// ROUGE exactly as Google's rouge-score 0.1.2 (`rouge_scorer.RougeScorer`) computes it: ROUGE-N on clipped
/// n-gram overlap, ROUGE-L on the longest common subsequence, ROUGE-Lsum on the union LCS of newline-
/// separated sentences; `score_multi` keeps, per type, the reference with the highest F-measure.
public struct Rouge: Sendable {
    /// A ROUGE variant, named as rouge-score names it (`rouge1`…`rouge6`, `rougeL`, `rougeLsum`).
    public enum Kind: Hashable, Sendable, CustomStringConvertible {
        case n(Int)
        case l
        case lsum

        /// Parses `rouge1`…`rouge6`, `rougeL`, `rougeLsum`. rouge-score also takes `rouge7`…`rouge9`; n-grams here
        /// pack at most `NGram.maxOrder` (6) values, so longer orders are refused rather than truncated.
        public init?(name: String) {
            switch name {
            case "rougeL": self = .l
            case "rougeLsum": self = .lsum
            default:
                guard name.count == 6, name.hasPrefix("rouge"), let n = Int(name.dropFirst(5)),
                    (1...NGram.maxOrder).contains(n)
                else { return nil }
                self = .n(n)
            }
        }

        public var description: String {
            switch self {
            case .n(let n): return "rouge\(n)"
            case .l: return "rougeL"
            case .lsum: return "rougeLsum"
            }
        }

        /// rouge1, rouge2, rougeL, rougeLsum.
        public static let standard: [Kind] = [.n(1), .n(2), .l, .lsum]
    }

    /// rouge-score's `Score` tuple.
    public struct Score: Equatable, Sendable {
        public var precision: Double
        public var recall: Double
        public var fmeasure: Double

        public init(precision: Double, recall: Double) {
            self.precision = precision
            self.recall = recall
            // scoring.fmeasure
            fmeasure = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        }

        static let zero = Score(precision: 0, recall: 0)
    }

    public var kinds: [Kind]
    public var useStemmer: Bool

    public init(kinds: [Kind] = Kind.standard, useStemmer: Bool = false) {
        self.kinds = kinds
        self.useStemmer = useStemmer
    }

    /// Orders above `NGram.maxOrder` (6) are not supported (rouge-score allows up to 9; nobody reports them).
    public func validate() throws {
        for case .n(let n) in kinds where !(1...NGram.maxOrder).contains(n) {
            throw MetricsError.invalidOption(what: "ROUGE-N order", value: "\(n)", hint: "use 1...\(NGram.maxOrder)")
        }
    }

    /// `score_multi` for every example: per example and kind, the best-F reference's score.
    public func scores(predictions: [String], targets: [[String]]) throws -> [[Score]] {
        try validate()
        try Corpus.check(hypotheses: predictions, references: targets)
        let tokenizer = RougeTokenizer(useStemmer: useStemmer)
        let aligns = kinds.contains(.l) || kinds.contains(.lsum)
        return try zip(predictions, targets).enumerated().map { segment, pair in
            let predictionSentences = tokenizer.sentences(pair.0)
            let targetSentences = pair.1.map { tokenizer.sentences($0) }
            if aligns {
                let predictionCount = predictionSentences.reduce(0) { $0 + $1.count }
                for target in targetSentences {
                    try Corpus.checkAlignment(
                        segment: segment, metric: .rouge, hypothesis: predictionCount,
                        reference: target.reduce(0) { $0 + $1.count })
                }
            }
            return scoreMulti(targets: targetSentences, prediction: predictionSentences)
        }
    }

    /// `score_multi(targets, prediction)` for one example, in the order of `kinds`.
    public func scoreMulti(targets: [String], prediction: String) throws -> [Score] {
        try scores(predictions: [prediction], targets: [targets])[0]
    }

    /// `score(target, prediction)` for one pair, in the order of `kinds`.
    public func score(target: String, prediction: String) throws -> [Score] {
        try scoreMulti(targets: [target], prediction: prediction)
    }

    /// rouge-score's `DefaultTokenizer(use_stemmer).tokenize(text)`.
    public static func tokenize(_ text: String, useStemmer: Bool) -> [String] {
        RougeTokenizer(useStemmer: useStemmer).tokenStrings(text)
    }

    /// Mean of each kind's precision, recall and F over the examples (the figure papers report).
    public static func mean(_ scores: [[Score]]) -> [Score] {
        guard let first = scores.first else { return [] }
        return first.indices.map { k in
            var p = 0.0, r = 0.0, f = 0.0
            for example in scores {
                p += example[k].precision
                r += example[k].recall
                f += example[k].fmeasure
            }
            let n = Double(scores.count)
            var mean = Score(precision: p / n, recall: r / n)
            mean.fmeasure = f / n
            return mean
        }
    }

    // MARK: - One example on token ids

    /// `score_multi` on tokenized sentences; `np.argmax` keeps the first of equal maxima.
    func scoreMulti(targets: [[[UInt32]]], prediction: [[UInt32]]) -> [Score] {
        let predictionTokens = Array(prediction.joined())
        let perTarget = targets.map { score(target: $0, prediction: prediction, predictionTokens: predictionTokens) }
        return kinds.indices.map { k in
            var best = perTarget[0][k]
            for candidate in perTarget.dropFirst() where candidate[k].fmeasure > best.fmeasure { best = candidate[k] }
            return best
        }
    }

    func score(target: [[UInt32]], prediction: [[UInt32]], predictionTokens: [UInt32]) -> [Score] {
        let targetTokens = Array(target.joined())
        return kinds.map { kind in
            switch kind {
            case .n(let n):
                return Self.ngramScore(target: targetTokens, prediction: predictionTokens, order: n)
            case .l:
                return Self.lcsScore(target: targetTokens, prediction: predictionTokens)
            case .lsum:
                return RougeLsum.score(target: target, prediction: prediction)
            }
        }
    }

    /// `_score_ngrams`.
    static func ngramScore(target: [UInt32], prediction: [UInt32], order n: Int) -> Score {
        var targetCounts = NGramTable(capacity: target.count), predictionCounts = NGramTable(capacity: prediction.count)
        targetCounts.addNGrams(of: target, order: n)
        predictionCounts.addNGrams(of: prediction, order: n)
        var overlap = 0
        targetCounts.forEach { gram, count in overlap += Swift.min(count, predictionCounts.count(of: gram)) }
        let targetTotal = Swift.max(target.count - n + 1, 0), predictionTotal = Swift.max(prediction.count - n + 1, 0)
        return Score(
            precision: Double(overlap) / Double(Swift.max(predictionTotal, 1)),
            recall: Double(overlap) / Double(Swift.max(targetTotal, 1)))
    }

    /// `_score_lcs`.
    static func lcsScore(target: [UInt32], prediction: [UInt32]) -> Score {
        guard !target.isEmpty, !prediction.isEmpty else { return .zero }
        let lcs = Double(LCS.length(target, prediction))
        return Score(precision: lcs / Double(prediction.count), recall: lcs / Double(target.count))
    }
}
