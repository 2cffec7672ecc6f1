import Foundation

/// CIDEr-D as pycocoevalcap 1.2's `Cider` scorer computes it (its `CiderScorer` is the -D variant: clipped
/// tf-idf overlap and a Gaussian length penalty, σ = 6), on the tokens of a sacreBLEU tokenizer instead of
/// the COCO PTB tokenizer (which needs Java). Document frequencies come from the references of the scored
/// corpus, so per-segment scores depend on the whole corpus, as in pycocoevalcap.
public struct CIDEr: Sendable {
    public var order: Int
    public var sigma: Double
    public var tokenizer: BLEUTokenizer
    public var lowercase: Bool

    public init(order: Int = 4, sigma: Double = 6, tokenizer: BLEUTokenizer = .thirteenA, lowercase: Bool = false) {
        self.order = order
        self.sigma = sigma
        self.tokenizer = tokenizer
        self.lowercase = lowercase
    }

    /// The corpus score (mean of the segment scores) and the segment scores.
    public func scores(hypotheses: [String], references: [[String]]) throws -> (corpus: Double, segments: [Double]) {
        guard (1...NGram.maxOrder).contains(order) else {
            throw MetricsError.invalidOption(what: "CIDEr order", value: "\(order)", hint: "use 1...\(NGram.maxOrder)")
        }
        try Corpus.check(hypotheses: hypotheses, references: references)
        let (hypothesisTokens, referenceTokens) = tokenizer.tokenIDs(
            hypotheses: hypotheses, references: references, lowercase: lowercase)
        let tests = hypothesisTokens.map(precook)
        let refs = referenceTokens.map { $0.map(precook) }

        // compute_doc_freq: in how many segments' reference sets each n-gram occurs.
        var documentFrequency = [[NGram: Double]](repeating: [:], count: order)
        for segmentRefs in refs {
            for k in 0..<order {
                var seen = Set<NGram>()
                for ref in segmentRefs { seen.formUnion(ref[k].keys) }
                for gram in seen { documentFrequency[k][gram, default: 0] += 1 }
            }
        }
        let logReferenceLength = Foundation.log(Double(refs.count))

        func vector(_ counts: [Precooked]) -> (vec: [[NGram: Double]], norm: [Double], length: Int) {
            var vec = [[NGram: Double]](repeating: [:], count: order)
            var norm = [Double](repeating: 0, count: order)
            var length = 0
            for k in 0..<order {
                for gram in counts[k].keys {
                    let termFrequency = counts[k].counts[gram] ?? 0
                    let df = Foundation.log(Swift.max(1.0, documentFrequency[k][gram] ?? 0))
                    let value = Double(termFrequency) * (logReferenceLength - df)
                    vec[k][gram] = value
                    norm[k] += Foundation.pow(value, 2)
                    // pycocoevalcap counts the *bigrams* as the length (`if n == 1`, n 0-based).
                    if k == 1 { length += termFrequency }
                }
            }
            return (vec, norm.map { $0.squareRoot() }, length)
        }

        var segments = [Double]()
        segments.reserveCapacity(tests.count)
        for (test, segmentRefs) in zip(tests, refs) {
            let (vec, norm, length) = vector(test)
            var score = [Double](repeating: 0, count: order)
            for ref in segmentRefs {
                let (refVec, refNorm, refLength) = vector(ref)
                let delta = Double(length - refLength)
                for k in 0..<order {
                    var value = 0.0
                    for gram in test[k].keys {
                        let hypValue = vec[k][gram] ?? 0, refValue = refVec[k][gram] ?? 0
                        value += Swift.min(hypValue, refValue) * refValue
                    }
                    if norm[k] != 0 && refNorm[k] != 0 { value /= norm[k] * refNorm[k] }
                    value *= Foundation.pow(2.718281828459045, -Foundation.pow(delta, 2) / (2 * Foundation.pow(sigma, 2)))
                    score[k] += value
                }
            }
            var mean = 0.0
            for value in score { mean += value }
            mean /= Double(order)
            mean /= Double(segmentRefs.count)
            mean *= 10.0
            segments.append(mean)
        }
        let corpus = segments.reduce(0, +) / Double(segments.count)
        return (corpus, segments)
    }

    /// `precook`: the n-grams of orders 1…`order`, each order in first-occurrence order (the dict order
    /// pycocoevalcap sums in).
    struct Precooked {
        var keys: [NGram]
        var counts: [NGram: Int]
    }

    private func precook(_ tokens: [UInt32]) -> [Precooked] {
        (1...order).map {
            let (keys, counts) = NGramCounter.orderedCounts(tokens, order: $0)
            return Precooked(keys: keys, counts: counts)
        }
    }
}
