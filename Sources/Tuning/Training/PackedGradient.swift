import GPT2

/// A shard gradient as one contiguous run of floats — the trained ranges in layout order, then the prefix
/// slots' gradient — and its totals: the form in which processes exchange gradients (`Tuner.add` over
/// shard gradients and an element-wise add over packed ones give the same bits, element by element).
///
/// Whatever `Tuner.add(_:into:)` folds must be packed here too, or a data-parallel run drops it.
public struct GradientTotals: Sendable, Equatable {
    public var lossSum: Double
    public var targetTokens: Int
    public var sequences: Int

    public init(lossSum: Double, targetTokens: Int, sequences: Int) {
        self.lossSum = lossSum
        self.targetTokens = targetTokens
        self.sequences = sequences
    }
}

extension Tuner {
    /// Floats in a packed gradient of this tuner.
    public var packedGradientCount: Int {
        request.ranges(in: gradients.layout).reduce(0) { $0 + $1.count } + (stepGradient.prefix?.count ?? 0)
    }

    /// Copies `gradient`'s trained ranges and prefix gradient into `packed` (`packedGradientCount` floats)
    /// and returns its totals.
    public func pack(_ gradient: ShardGradient, into packed: UnsafeMutableBufferPointer<Float>) -> GradientTotals {
        let totals = GradientTotals(
            lossSum: gradient.lossSum, targetTokens: gradient.targetTokens, sequences: gradient.sequences)
        guard let base = packed.baseAddress else { return totals }
        var at = 0
        for range in request.ranges(in: gradient.parameters.layout) {
            (base + at).update(from: gradient.parameters.base + range.lowerBound, count: range.count)
            at += range.count
        }
        if let prefix = gradient.prefix { (base + at).update(from: prefix.base, count: prefix.count) }
        return totals
    }

    /// The inverse of `pack`: writes `packed` and `totals` into `gradient`.
    public func unpack(
        _ packed: UnsafeBufferPointer<Float>, totals: GradientTotals, into gradient: ShardGradient
    ) {
        gradient.lossSum = totals.lossSum
        gradient.targetTokens = totals.targetTokens
        gradient.sequences = totals.sequences
        guard let base = packed.baseAddress else { return }
        var at = 0
        for range in request.ranges(in: gradient.parameters.layout) {
            (gradient.parameters.base + range.lowerBound).update(from: base + at, count: range.count)
            at += range.count
        }
        if let prefix = gradient.prefix { prefix.base.update(from: base + at, count: prefix.count) }
    }
}
