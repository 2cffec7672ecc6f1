import Randomness

/// The data-order generator: `SplitMix64` with a per-epoch stream and its own bounded draw.
///
/// The data order must be identical across runs, machines and Swift versions so that a resumed run sees
/// the same batches; Swift's `SystemRandomNumberGenerator` cannot be seeded and the standard library's
/// `shuffle(using:)` does not promise a stable algorithm. Everything here is 64-bit integer arithmetic
/// with defined wrap-around, so results are bit-identical on every platform.
public struct ShuffleRNG: RandomNumberGenerator, Sendable {
    private var base: SplitMix64

    public init(seed: UInt64) { base = SplitMix64(seed: seed) }

    /// A generator for one (seed, stream) pair, e.g. one epoch. The stream number is mixed into the seed
    /// (not added), so the sequences of neighbouring epochs do not overlap as shifted copies of each other.
    public init(seed: UInt64, stream: UInt64) {
        base = SplitMix64(seed: SplitMix64.mix(seed ^ SplitMix64.mix(stream &+ SplitMix64.increment)))
    }

    public mutating func next() -> UInt64 { base.next() }

    /// A uniform integer in `0..<bound` by rejection sampling (no modulo bias, no floating point).
    ///
    /// Deliberately not `SplitMix64.next(below:)` (Lemire's multiply-shift): the batch order of saved runs and
    /// eval/reference/make_batching_golden.py are defined by this modulo rule, so changing it would reorder them.
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
