/// SplitMix64 (Steele, Lea & Flood 2014; the generator Java's `SplittableRandom` and xoshiro's seeding use).
///
/// The data order must be identical across runs, machines and Swift versions so that a resumed run sees
/// the same batches; Swift's `SystemRandomNumberGenerator` cannot be seeded and the standard library's
/// `shuffle(using:)` does not promise a stable algorithm. Everything here is 64-bit integer arithmetic
/// with defined wrap-around, so results are bit-identical on every platform.
public struct ShuffleRNG: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one (seed, stream) pair, e.g. one epoch. The stream number is mixed into the seed
    /// (not added), so the sequences of neighbouring epochs do not overlap as shifted copies of each other.
    public init(seed: UInt64, stream: UInt64) {
        state = Self.mix(seed ^ Self.mix(stream &+ 0x9E37_79B9_7F4A_7C15))
    }

    /// The SplitMix64 finaliser (a bijection on 64-bit values).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform integer in `0..<bound` by rejection sampling (no modulo bias, no floating point).
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")  // callers pass collection sizes ≥ 1
        let n = UInt64(bound)
        let threshold = (0 &- n) % n  // 2^64 mod n: values below it would over-represent small results
        while true {
            let r = next()
            if r >= threshold { return Int(r % n) }
        }
    }

    /// Fisher–Yates shuffle from the last position down, using `next(below:)`.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = next(below: i + 1)
            array.swapAt(i, j)
        }
    }
}
