/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's `splitmix64.c`, the generator behind Java's
/// `SplittableRandom` and the usual seeder of xoshiro): the one seeded generator of the package.
///
/// Why this one: the whole state is a single `UInt64`, so a training checkpoint stores it and
/// `init(state:)` continues exactly the stream an uninterrupted run would have drawn; and everything is
/// 64-bit integer arithmetic with defined wrap-around, so the numbers are the same on every platform and
/// Swift version. `SystemRandomNumberGenerator` cannot be seeded, and the standard library's bounded and
/// floating-point helpers (`Int.random(in:using:)`, …) do not promise a stable algorithm across versions.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// Weyl-sequence increment: 2^64 divided by the golden ratio, made odd.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The whole generator: the value after the last draw's increment (the seed before the first draw).
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// Restores a generator from `state` as read back from a checkpoint; it continues the saved stream.
    public init(state: UInt64) { self.state = state }

    /// The SplitMix64 finaliser (variant 13 of Stafford's MurmurHash3 mixer): a bijection on 64-bit values.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// A uniform integer in `0..<bound` by Lemire's multiply-shift with rejection (unbiased; usually one
    /// draw, and a second only with probability below `bound / 2^64`).
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")  // callers pass collection sizes ≥ 1
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b  // 2^64 mod b: low halves below it would over-represent some results
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// A uniform double in [0, 1) from the top 53 bits of one draw.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
