import Foundation

/// Picks the next token from one row of processed scores (mlx-swift-examples' `LogitSampler`).
public protocol TokenSampler: Sendable {
    mutating func sample(_ scores: UnsafeBufferPointer<Float>) -> Int
}

/// Greedy decoding: the arg-max, first index on ties (as `torch.argmax`).
public struct ArgMaxSampler: TokenSampler {
    public init() {}

    public func sample(_ scores: UnsafeBufferPointer<Float>) -> Int { RowMath.argMax(scores) }
}

/// Draws from softmax(scores) — what `torch.multinomial(softmax(scores))` does, with this module's own seeded
/// generator, so runs are reproducible across machines but not equal to torch's draws.
public struct CategoricalSampler: TokenSampler {
    public var generator: Xoshiro256StarStar

    public init(seed: UInt64) { generator = Xoshiro256StarStar(seed: seed) }

    public mutating func sample(_ scores: UnsafeBufferPointer<Float>) -> Int {
        guard let maxValue = scores.max(), maxValue > -.infinity else { return RowMath.argMax(scores) }
        var total = 0.0
        for x in scores { total += exp(Double(x) - Double(maxValue)) }
        let target = generator.nextDouble() * total
        var cumulative = 0.0
        var lastPositive = 0
        for i in scores.indices {
            let weight = exp(Double(scores[i]) - Double(maxValue))
            guard weight > 0 else { continue }
            cumulative += weight
            lastPositive = i
            if target < cumulative { return i }
        }
        return lastPositive  // only reachable through rounding in the running sum
    }
}

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64: small, fast, and the same stream on every
/// platform, which `SystemRandomNumberGenerator` is not.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }
}

extension GenerateParameters {
    /// The sampler these settings call for: arg-max, or a categorical draw seeded with `seed`.
    public func sampler() -> any TokenSampler {
        doSample ? CategoricalSampler(seed: seed) : ArgMaxSampler()
    }
}
