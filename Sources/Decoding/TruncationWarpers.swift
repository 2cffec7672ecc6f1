import Foundation

/// The probabilities the truncation warpers look at: softmax of one row in double (torch computes it in float32;
/// the warpers only compare them with thresholds, so the extra precision decides nothing but exact ties).
enum RowDistribution {
    /// log-softmax of `scores`; -inf stays -inf.
    static func logProbabilities(_ scores: UnsafeMutableBufferPointer<Float>) -> [Double] {
        let m = Double(scores.max() ?? 0)
        guard m > -.infinity else { return scores.map { _ in -.infinity } }
        var total = 0.0
        for s in scores { total += exp(Double(s) - m) }
        let logTotal = log(total)
        return scores.map { Double($0) - m - logTotal }
    }

    /// -sum p log p over the tokens with p > 0 (torch's `nansum`, and `Categorical.entropy` after its clamp).
    static func entropy(_ logProbabilities: [Double]) -> Double {
        var h = 0.0
        for lp in logProbabilities where lp > -.infinity { h -= exp(lp) * lp }
        return h
    }

    /// Removes the tokens whose probability, as float32, is below `threshold` (torch compares float32
    /// probabilities), except the `minTokensToKeep` most likely: the epsilon and eta cutoffs.
    static func remove(
        _ scores: UnsafeMutableBufferPointer<Float>, logProbabilities logp: [Double], below threshold: Float,
        keeping minTokensToKeep: Int
    ) {
        let k = min(max(1, minTokensToKeep), scores.count)
        let keep = RowMath.largest(UnsafeBufferPointer(scores), count: k).last?.value ?? -.infinity
        for i in scores.indices where Float(exp(logp[i])) < threshold && scores[i] < keep {
            scores[i] = -.infinity
        }
    }
}

/// transformers' `TypicalLogitsWarper`: sort the tokens by |−log p − entropy| ascending and keep them until the
/// cumulative probability reaches `mass` (the token that crosses it included), and at least `minTokensToKeep`.
public struct TypicalWarper: LogitsProcessor {
    public let mass: Double
    public let minTokensToKeep: Int

    public init(mass: Double, minTokensToKeep: Int = 1) {
        self.mass = mass
        self.minTokensToKeep = max(1, minTokensToKeep)
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        let logp = RowDistribution.logProbabilities(scores)
        let entropy = RowDistribution.entropy(logp)
        let shifted = logp.map { abs(-$0 - entropy) }  // +inf for removed tokens: they sort last
        let order = scores.indices.sorted { shifted[$0] < shifted[$1] || (shifted[$0] == shifted[$1] && $0 < $1) }
        // transformers: last_ind = how many cumulative probabilities are below the mass (clamped to the row).
        var cumulative = 0.0
        var below = 0
        for i in order {
            cumulative += exp(logp[i])
            if cumulative < mass { below += 1 } else { break }
        }
        let cutoff = shifted[order[min(below, order.count - 1)]]
        for (rank, i) in order.enumerated() where rank >= minTokensToKeep && shifted[i] > cutoff {
            scores[i] = -.infinity
        }
    }
}

/// transformers' `EpsilonLogitsWarper`: tokens whose probability is below `epsilon` are removed, except the
/// `minTokensToKeep` most likely.
public struct EpsilonWarper: LogitsProcessor {
    public let epsilon: Double
    public let minTokensToKeep: Int

    public init(epsilon: Double, minTokensToKeep: Int = 1) {
        self.epsilon = epsilon
        self.minTokensToKeep = max(1, minTokensToKeep)
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        // torch compares the float32 probabilities with the Python float, as float32.
        let logp = RowDistribution.logProbabilities(scores)
        RowDistribution.remove(scores, logProbabilities: logp, below: Float(epsilon), keeping: minTokensToKeep)
    }
}

/// transformers' `EtaLogitsWarper`: tokens whose probability is below η = min(ε, √ε · e^(−entropy)) are removed,
/// except the `minTokensToKeep` most likely. ε is a float32 tensor in transformers, so η is computed in float32.
public struct EtaWarper: LogitsProcessor {
    public let epsilon: Float
    public let minTokensToKeep: Int

    public init(epsilon: Double, minTokensToKeep: Int = 1) {
        self.epsilon = Float(epsilon)
        self.minTokensToKeep = max(1, minTokensToKeep)
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        let logp = RowDistribution.logProbabilities(scores)
        let entropy = Float(RowDistribution.entropy(logp))
        let eta = min(epsilon, epsilon.squareRoot() * expf(-entropy))
        RowDistribution.remove(scores, logProbabilities: logp, below: eta, keeping: minTokensToKeep)
    }
}
