import Foundation

/// The tuner's own random numbers (prefix initialisation): SplitMix64, whose whole state is one `UInt64`, so a
/// training checkpoint can store it and a resumed run draws exactly what the uninterrupted run would have.
/// `SystemRandomNumberGenerator` is neither seedable nor reproducible across runs.
public struct TuningRandom: RandomNumberGenerator, Sendable, Equatable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// Restores a generator from `state` as read back from a checkpoint.
    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal sample (Box–Muller, one value per pair of uniforms so the stream stays stateless).
    public mutating func normal() -> Float {
        let u1 = max(unit(), Double.ulpOfOne)
        let u2 = unit()
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// A uniform sample in [-bound, bound).
    public mutating func uniform(bound: Float) -> Float { Float((2 * unit() - 1) * Double(bound)) }
}
