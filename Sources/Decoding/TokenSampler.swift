import Foundation
import Kernels
import Randomness

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
        guard let base = scores.baseAddress, scores.count > 0 else { return 0 }
        let n = scores.count
        let m = maxElement(base, n)
        guard m > -.infinity else { return RowMath.argMax(scores) }
        // Weights exp(x - max) in float lanes; the walk re-derives each 16-lane block's sum exactly as the total
        // was built, and only expands the block the target falls in. Removed (-inf) tokens weigh exactly 0.
        let shift = Vec(repeating: m)
        func block(_ i: Int) -> Vec {
            let x = RowMath.load(base + i)
            return vexp(x - shift).replacing(with: 0, where: x .== -.infinity)
        }
        func weight(_ i: Int) -> Float { scores[i] == -.infinity ? 0 : sexp(scores[i] - m) }
        let blocks = n / 16 * 16
        var total = 0.0
        for i in stride(from: 0, to: blocks, by: 16) { total += Double(block(i).sum()) }
        for i in blocks..<n { total += Double(weight(i)) }
        let target = generator.nextDouble() * total
        var cumulative = 0.0
        var lastPositive = RowMath.argMax(scores)
        for i in stride(from: 0, to: blocks, by: 16) {
            let w = block(i)
            let blockSum = Double(w.sum())
            if cumulative + blockSum <= target {
                cumulative += blockSum
                continue
            }
            for lane in 0..<16 where w[lane] > 0 {
                cumulative += Double(w[lane])
                lastPositive = i + lane
                if target < cumulative { return i + lane }
            }
        }
        for i in blocks..<n where weight(i) > 0 {
            cumulative += Double(weight(i))
            lastPositive = i
            if target < cumulative { return i }
        }
        return lastPositive  // only reachable through rounding between block sums and lane sums
    }
}

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64: small, fast, and the same stream on every
/// platform, which `SystemRandomNumberGenerator` is not.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
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
