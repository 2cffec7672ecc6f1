import Randomness

/// A small deterministic generator for test data: `SplitMix64`, so the same seed gives the same numbers on
/// every platform, unlike `SystemRandomNumberGenerator`. Its own type (not `TuningRandom`) because its
/// `normal()` draws through `Double.random(in:using:)`, and the existing tests' data depend on that stream.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var base: SplitMix64

    public init(seed: UInt64) { base = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { base.next() }

    /// A standard normal sample (Box–Muller).
    public mutating func normal() -> Float {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// `count` normal samples scaled by `std`.
    public mutating func normals(_ count: Int, std: Float = 1) -> [Float] {
        (0..<count).map { _ in normal() * std }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
