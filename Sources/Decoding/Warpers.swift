import Foundation

/// transformers' `TemperatureLogitsWarper`: scores / temperature (float32 division by the float32 temperature,
/// which is what torch does with a Python float).
public struct TemperatureWarper: LogitsProcessor {
    public let temperature: Float

    public init(temperature: Double) { self.temperature = Float(temperature) }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        RowMath.divide(scores, by: temperature)
    }
}

/// transformers' `TopKLogitsWarper`: every score strictly below the k-th largest becomes -inf, so ties with the
/// k-th are all kept.
public struct TopKWarper: LogitsProcessor {
    public let k: Int

    public init(k: Int, minTokensToKeep: Int = 1) { self.k = max(k, minTokensToKeep) }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        let k = min(self.k, scores.count)
        guard k > 0, k < scores.count, let kth = RowMath.largest(UnsafeBufferPointer(scores), count: k).last
        else { return }
        RowMath.removeBelow(scores, kth.value)
    }
}

/// transformers' `TopPLogitsWarper`: sort ascending, take the cumulative softmax, drop every token whose
/// cumulative probability is <= 1 - p, but keep the `minTokensToKeep` most likely.
///
/// Only finite scores are sorted: -inf entries (already removed by top-k or a ban) sort first with probability 0,
/// so they add nothing to the cumulative sum and stay removed — the result is the same as sorting the full row,
/// at O(m log m) for m surviving tokens instead of O(V log V).
public struct TopPWarper: LogitsProcessor {
    public let p: Double
    public let minTokensToKeep: Int

    public init(p: Double, minTokensToKeep: Int = 1) {
        self.p = p
        self.minTokensToKeep = max(1, minTokensToKeep)
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        var order = scores.indices.filter { scores[$0] > -.infinity }
        guard order.count > 1 else { return }
        // Ascending by score; equal scores by index (torch.sort's order among exact ties is unspecified).
        order.sort { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        let maxValue = scores[order[order.count - 1]]
        var total: Float = 0
        for i in order { total += expf(scores[i] - maxValue) }
        let threshold = Float(1 - p)
        var cumulative = 0.0  // torch's CPU cumsum accumulates float32 input in double
        let keepFrom = order.count - min(minTokensToKeep, order.count)
        for (rank, i) in order.enumerated() {
            cumulative += Double(expf(scores[i] - maxValue) / total)
            if rank < keepFrom && Float(cumulative) <= threshold { scores[i] = -.infinity }
        }
    }
}
