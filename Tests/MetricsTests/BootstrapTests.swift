import Foundation
import Metrics
import TestSupport
import Testing

struct PercentileCase: Decodable, Sendable, CustomTestStringConvertible {
    var values: [Double]
    var q: [Double]
    var expected: [Double]
    var testDescription: String { "n=\(values.count)" }
}

struct BootstrapTests {
    /// The percentile step of rouge-score's bootstrap is numpy's `percentile` (linear), bit for bit.
    @Test(arguments: try FixtureTable<[PercentileCase]>("metrics/percentile.json").cases(count: 7) { $0 })
    func percentileMatchesNumpy(_ c: PercentileCase) {
        for (q, expected) in zip(c.q, c.expected) {
            #expect(Bootstrap.percentile(c.values, q) == expected, "q=\(q)")
        }
    }

    private func sample(_ n: Int, seed: UInt64) -> [[Double]] {
        // Deterministic pseudo-scores in [0, 1) (a simple LCG, independent of the bootstrap's RNG).
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return [Double(state >> 11) / Double(1 << 53)]
        }
    }

    /// The interval brackets the sample mean, its midpoint lies near the mean, and the same seed gives the
    /// same interval while another seed gives a different one.
    @Test func intervalContainsMeanAndIsDeterministic() throws {
        let rows = sample(300, seed: 1)
        let mean = rows.reduce(0) { $0 + $1[0] } / Double(rows.count)
        let a = try Bootstrap.interval(rows, samples: 1000, seed: 42)
        let b = try Bootstrap.interval(rows, samples: 1000, seed: 42)
        let c = try Bootstrap.interval(rows, samples: 1000, seed: 43)
        #expect(a == b)
        #expect(a != c)
        #expect(a.low[0] < mean && mean < a.high[0])
        #expect(abs(a.mid[0] - mean) < 0.01)
    }

    /// With 16× more examples the interval is about 4× narrower (width ∝ 1/√n); checked loosely.
    @Test func intervalShrinksWithMoreExamples() throws {
        let small = try Bootstrap.interval(sample(100, seed: 7), samples: 1000, seed: 3)
        let large = try Bootstrap.interval(sample(1600, seed: 7), samples: 1000, seed: 3)
        let ratio = (small.high[0] - small.low[0]) / (large.high[0] - large.low[0])
        #expect(ratio > 3 && ratio < 5.5, "width ratio \(ratio)")
    }

    /// A 95% interval of uniform(0,1) means has the normal-theory width 2·1.96·σ/√n within 15%.
    @Test func intervalWidthMatchesTheory() throws {
        let n = 400
        let interval = try Bootstrap.interval(sample(n, seed: 11), samples: 2000, seed: 5)
        let theory = 2 * 1.96 * (1 / 12.0).squareRoot() / Double(n).squareRoot()
        let width = interval.high[0] - interval.low[0]
        #expect(abs(width - theory) / theory < 0.15, "width \(width) vs \(theory)")
    }

    @Test func rejectsBadSettings() {
        #expect(throws: MetricsError.self) { try Bootstrap.interval([[1]], samples: 0) }
        #expect(throws: MetricsError.self) { try Bootstrap.interval([[1]], confidence: 1.5) }
        #expect(throws: MetricsError.emptyCorpus) { try Bootstrap.interval([]) }
    }
}
