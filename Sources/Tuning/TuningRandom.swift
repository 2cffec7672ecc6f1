import Foundation
import Randomness

/// The tuner's own random numbers (prefix initialisation). SplitMix64's whole state is one `UInt64`, so a
/// training checkpoint stores `state` and `TuningRandom(state:)` draws exactly what the uninterrupted run
/// would have drawn. `SystemRandomNumberGenerator` is neither seedable nor reproducible across runs.
public typealias TuningRandom = SplitMix64

extension SplitMix64 {
    /// A standard normal sample (Box–Muller, one value per pair of uniforms so the stream stays stateless).
    public mutating func normal() -> Float {
        let u1 = max(nextUnit(), Double.ulpOfOne)
        let u2 = nextUnit()
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// A uniform sample in [-bound, bound).
    public mutating func uniform(bound: Float) -> Float { Float((2 * nextUnit() - 1) * Double(bound)) }
}
