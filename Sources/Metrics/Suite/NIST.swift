import Foundation

/// NIST (Doddington 2002) exactly as nltk 3.10's `nltk.translate.nist_score.corpus_nist` computes it, on
/// the tokens of a sacreBLEU tokenizer (13a by default). This is nltk's formulation — information weights
/// from all references of the corpus, the best reference per segment and order by the tuple (precision,
/// numerator, denominator, length) — not mteval-v13a.pl's, which the e2e-metrics scripts call; the two
/// give different numbers.
///
/// Where nltk divides by zero (no hypothesis has n-grams of some order, or all references are empty) and
/// raises, this returns 0 for that order's precision or for the length penalty.
public struct NIST: Sendable {
    public var order: Int
    public var tokenizer: BLEUTokenizer
    public var lowercase: Bool

    public init(order: Int = 5, tokenizer: BLEUTokenizer = .thirteenA, lowercase: Bool = false) {
        self.order = order
        self.tokenizer = tokenizer
        self.lowercase = lowercase
    }

    public func validate() throws {
        guard (1...NGram.maxOrder).contains(order) else {
            throw MetricsError.invalidOption(what: "NIST order", value: "\(order)", hint: "use 1...\(NGram.maxOrder)")
        }
    }

    /// `corpus_nist(list_of_references, hypotheses, n)`.
    public func corpusScore(hypotheses: [String], references: [[String]]) throws -> Double {
        try validate()
        try Corpus.check(hypotheses: hypotheses, references: references)
        let (hyps, refs) = tokenizer.tokenIDs(hypotheses: hypotheses, references: references, lowercase: lowercase)
        return Self.corpusNIST(hypotheses: hyps, references: refs, order: order)
    }

    /// `sentence_nist`: the corpus formula on one segment (weights from its own references only).
    public func sentenceScore(hypothesis: String, references: [String]) throws -> Double {
        try corpusScore(hypotheses: [hypothesis], references: [references])
    }

    static func corpusNIST(hypotheses: [[UInt32]], references: [[[UInt32]]], order n: Int) -> Double {
        // Reference n-gram frequencies over the whole corpus, per order.
        var frequency = [NGramTable](repeating: NGramTable(capacity: 1024), count: n)
        var totalReferenceWords = 0
        for refs in references {
            for ref in refs {
                for i in 1...n { frequency[i - 1].addNGrams(of: ref, order: i) }
                totalReferenceWords += ref.count
            }
        }
        // information_weights: log2(count(w1…wn-1) / count(w1…wn)), math.log(x, 2) = log(x) / log(2).
        func weight(_ gram: NGram, order i: Int) -> Double {
            let count = Double(frequency[i - 1].count(of: gram))
            let numerator =
                i == 1 ? Double(totalReferenceWords) : Double(frequency[i - 2].count(of: gram.droppingLast(i)))
            return Foundation.log(numerator / count) / Foundation.log(2.0)
        }
        var hypCounts = NGramTable(), refCounts = NGramTable()
        var precisionSum = 0.0
        var referenceLength = 0, systemLength = 0
        for i in 1...n {
            var numeratorSum = 0.0, denominatorSum = 0
            for (hyp, refs) in zip(hypotheses, references) {
                hypCounts.removeAll()
                hypCounts.addNGrams(of: hyp, order: i)
                var best: (precision: Double, numerator: Double, denominator: Int, length: Int)?
                for ref in refs {
                    refCounts.removeAll()
                    refCounts.addNGrams(of: ref, order: i)
                    // (hyp & ref) iterates in the hypothesis' first-occurrence order.
                    var numerator = 0.0
                    var denominator = 0
                    hypCounts.forEach { gram, count in
                        denominator += count
                        let overlap = Swift.min(count, refCounts.count(of: gram))
                        if overlap > 0 { numerator += weight(gram, order: i) * Double(overlap) }
                    }
                    let candidate = (
                        precision: denominator == 0 ? 0 : numerator / Double(denominator), numerator: numerator,
                        denominator: denominator, length: ref.count
                    )
                    if let b = best,
                        (b.precision, b.numerator, b.denominator, b.length)
                            >= (candidate.precision, candidate.numerator, candidate.denominator, candidate.length)
                    {
                        continue
                    }
                    best = candidate
                }
                if let b = best {
                    numeratorSum += b.numerator
                    denominatorSum += b.denominator
                    referenceLength += b.length
                }
                systemLength += hyp.count
            }
            if denominatorSum > 0 { precisionSum += numeratorSum / Double(denominatorSum) }
        }
        return precisionSum * lengthPenalty(reference: referenceLength, hypothesis: systemLength)
    }

    /// `nist_length_penalty`: exp(β · log²(min(hyp/ref, 1))) with β making the factor 0.5 at ratio 2/3.
    static func lengthPenalty(reference: Int, hypothesis: Int) -> Double {
        guard reference > 0 else { return 0 }
        let ratio = Double(hypothesis) / Double(reference)
        if ratio > 0 && ratio < 1 {
            let beta = Foundation.log(0.5) / Foundation.pow(Foundation.log(1.5), 2)
            return Foundation.exp(beta * Foundation.pow(Foundation.log(ratio), 2))
        }
        return Swift.max(Swift.min(ratio, 1.0), 0.0)
    }
}
