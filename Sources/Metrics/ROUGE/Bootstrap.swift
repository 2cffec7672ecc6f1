import Foundation
import Randomness

/// Bootstrap confidence intervals the way rouge-score's `BootstrapAggregator` computes them: draw `samples`
/// resamples of the examples with replacement, take each resample's mean, and report numpy's linear
/// percentiles of those means at (1−c)/2, 50 % and 1−(1−c)/2.
///
/// rouge-score draws with numpy's global RNG; reproducing that bit for bit would mean porting numpy's
/// Mersenne Twister and `choice`, so the draws here come from a seeded SplitMix64 instead. The intervals
/// are therefore statistically equivalent, not identical; the percentile step is numpy's, exactly.
public enum Bootstrap {
    /// Low, mid and high rows, each with one value per column of the input.
    public struct Interval: Equatable, Sendable {
        public var low: [Double]
        public var mid: [Double]
        public var high: [Double]
    }

    /// `_bootstrap_resample` on a (example × measure) matrix.
    /// `progress` is called about a hundred times with the resamples done and `samples`.
    public static func interval(
        _ rows: [[Double]], samples: Int = 1000, confidence: Double = 0.95, seed: UInt64 = 0,
        progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> Interval {
        guard (0...1).contains(confidence) else {
            throw MetricsError.invalidOption(what: "confidence", value: "\(confidence)", hint: "use a value in [0, 1]")
        }
        guard samples > 0 else {
            throw MetricsError.invalidOption(what: "bootstrap samples", value: "\(samples)", hint: "use at least 1")
        }
        guard let width = rows.first?.count else { throw MetricsError.emptyCorpus }
        var generator = SplitMix64(seed: seed)
        var means = [[Double]](repeating: [Double](repeating: 0, count: samples), count: width)
        var sums = [Double](repeating: 0, count: width)
        for s in 0..<samples {
            for k in sums.indices { sums[k] = 0 }
            for _ in 0..<rows.count {
                let row = rows[generator.next(below: rows.count)]
                for k in 0..<width { sums[k] += row[k] }
            }
            for k in 0..<width { means[k][s] = sums[k] / Double(rows.count) }
            if (s + 1) % max(1, samples / 100) == 0 || s + 1 == samples { progress(s + 1, samples) }
        }
        let delta = (1 - confidence) / 2
        let q = [100 * delta, 100 * 0.5, 100 * (1 - delta)]
        let columns = means.map { column in q.map { percentile(column, $0) } }
        return Interval(low: columns.map { $0[0] }, mid: columns.map { $0[1] }, high: columns.map { $0[2] })
    }

    /// `np.percentile(values, q)` with the default `linear` method (q in percent), including numpy's
    /// interpolation rule `b - (b - a) * (1 - t)` for t ≥ 0.5 so the result is bit-identical.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        guard n > 0 else { return .nan }
        let virtualIndex = Double(n - 1) * (q / 100)
        let previous = virtualIndex.rounded(.down)
        let gamma = virtualIndex - previous
        var lower = Int(previous), upper = lower + 1
        if virtualIndex >= Double(n - 1) {
            lower = n - 1
            upper = n - 1
        } else if virtualIndex < 0 {
            lower = 0
            upper = 0
        }
        let a = sorted[lower], b = sorted[upper]
        let diff = b - a
        return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma
    }
}
