import Randomness

/// Inverted dropout whose mask is a pure function of a key and the element's index: element i of a site
/// is kept when `mix(siteKey + i·φ) ≥ rate·2⁶⁴` (SplitMix64's finaliser as a counter-based hash), and a
/// kept value is multiplied by 1/(1 − rate), as torch's `nn.Dropout` does in training.
///
/// Why a hash and not a stream: the backward recomputes the forward's mask instead of storing it (no
/// [B, NH, T, S] byte mask per layer), the mask does not depend on the order threads visit elements, a
/// resumed run redraws exactly the masks of the uninterrupted one, and the Python reference
/// (eval/reference/make_dropout_fixtures.py) draws the same masks, so gradients with dropout on are
/// compared with torch's exactly.
public struct DropoutMask: Sendable, Equatable {
    /// Probability that an element is zeroed, in [0, 1).
    public let rate: Float
    /// The key of this mask (a micro-batch's key, or a site's key derived from it).
    public let key: UInt64
    /// Multiplier of kept values: 1/(1 − rate) in Float, as torch computes it.
    public let scale: Float
    @usableFromInline let threshold: UInt64

    /// A micro-batch's dropout; nil when `rate` is 0 (no dropout, not a mask that keeps everything).
    public init?(rate: Float, key: UInt64) {
        guard rate > 0 else { return nil }
        precondition(rate < 1, "dropout rate \(rate) must be below 1")  // validated by the training options
        self.init(rate: rate, key: key, derived: ())
    }

    private init(rate: Float, key: UInt64, derived: Void) {
        self.rate = rate
        self.key = key
        scale = 1 / (1 - rate)
        // rate·2⁶⁴ in Double is exact for a Float rate; it stays below 2⁶⁴ because rate < 1.
        threshold = UInt64(Double(rate) * 0x1p64)
    }

    /// The mask of one place in the network (`code` as in GPT-2: 0 = embeddings; block l: 1 + 3l attention
    /// probabilities, 2 + 3l attention output, 3 + 3l MLP output).
    public func site(_ code: Int) -> DropoutMask {
        DropoutMask(rate: rate, key: SplitMix64.mix(key &+ UInt64(code) &* SplitMix64.increment), derived: ())
    }

    /// Whether element `index` of this site is kept.
    @inlinable @inline(__always)
    public func keeps(_ index: Int) -> Bool {
        // SplitMix64.increment, as a literal so the hot loop does not go through a global's accessor.
        SplitMix64.mix(key &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15) >= threshold
    }

    /// x[i] = keeps(first + i) ? x[i]·scale : 0 for i < count. The forward applies it to activations, and
    /// the backward applies the same call to their gradients (the mask is its own Jacobian, diagonal).
    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int, firstIndex first: Int = 0) {
        let mask = self
        nonisolated(unsafe) let x = x
        Parallel.forEachBlock(count, size: 16_384, work: count * 16) { range in
            for i in range { x[i] = mask.keeps(first + i) ? x[i] * mask.scale : 0 }
        }
    }
}
