/// Keys and values of every token seen so far, for incremental decoding (and, transiently, for a
/// one-shot or training forward).
///
/// Layout `[layer][batchRow][head][slot][headDim]`, rows spaced `slotCapacity` slots apart, so attention
/// for one (row, head) reads one contiguous `[slots, headDim]` block. Slots `0..<prefixLength` hold the
/// Prefix-Tuning prefix (always visible), then tokens in arrival order. All rows share `length`; padding is
/// expressed by the per-slot `mask` (left-padded prompts leave masked slots at the start of short rows).
/// A row whose sequence has finished can keep stepping with mask-0 tokens: its slots stay invisible and
/// its positions do not advance.
///
/// A cache is mutable state: use it from one call at a time (`@unchecked Sendable` lets a decoding task
/// own it across suspension points).
public final class KVCache: @unchecked Sendable {
    public let config: GPT2Config
    public let slotCapacity: Int
    public let prefixLength: Int
    /// Rows the buffers can hold; `select(rows:)` reallocates when it needs more.
    public private(set) var batchCapacity: Int
    /// Rows in use.
    public private(set) var batchSize: Int
    /// Filled slots (prefix + tokens), the same for every row.
    public internal(set) var length: Int
    /// `[L][batchCapacity][NH][slotCapacity][hd]`.
    public private(set) var keys: UnsafeMutablePointer<Float>
    public private(set) var values: UnsafeMutablePointer<Float>
    /// `[batchCapacity][slotCapacity]`, nonzero where a slot holds a prefix entry or a real token.
    public private(set) var mask: UnsafeMutablePointer<UInt8>
    /// Position id the next real token of each row gets (the prefix's positions + real tokens so far).
    public internal(set) var nextPosition: [Int32]
    /// Position of a row's first token: the prefix length with PEFT's prefix, 0 with AdapterHub's.
    let firstPosition: Int32

    /// An empty cache for `batchSize` rows of up to `slotCapacity` slots (prefix included), seeded with
    /// `prefix` in every row when given.
    public init(config: GPT2Config, batchSize: Int, slotCapacity: Int, prefix: PrefixSlots? = nil) throws(GPT2Error) {
        let p = prefix?.length ?? 0
        guard batchSize > 0, slotCapacity > p else {
            throw .invalidInput(
                argument: "cache size",
                reason: "\(batchSize) rows × \(slotCapacity) slots cannot hold a \(p)-slot prefix plus tokens")
        }
        // Keys and values, 4 bytes each per layer, row, slot and channel: checked before allocating, so that a
        // huge batch or length (a beam count, a token budget) is an error with the figure, not a trap.
        let bytes = CheckedSize.product(8, config.nLayer, batchSize, slotCapacity, config.nEmbd)
        if let available = MemoryBudget.physicalBytes, (bytes ?? .max) > available {
            let need = bytes.map(byteText) ?? "more than Int.max bytes"
            throw .invalidInput(
                argument: "cache size",
                reason: "\(batchSize) rows × \(slotCapacity) slots need \(need) for keys and values, more than the"
                    + " \(byteText(available)) of physical memory")
        }
        self.config = config
        self.slotCapacity = slotCapacity
        self.prefixLength = p
        self.batchCapacity = batchSize
        self.batchSize = batchSize
        self.length = p
        self.firstPosition = Int32(prefix?.positionCount ?? 0)
        self.nextPosition = [Int32](repeating: firstPosition, count: batchSize)
        (keys, values, mask) = Self.allocate(config: config, rows: batchSize, slots: slotCapacity)
        if let prefix { seed(prefix: prefix, rows: 0..<batchSize) }
    }

    deinit {
        keys.deallocate()
        values.deallocate()
        mask.deallocate()
    }

    /// Floats per (layer, row): NH · slotCapacity · hd.
    var rowStride: Int { config.nHead * slotCapacity * config.headDim }
    var layerStride: Int { batchCapacity * rowStride }

    /// Keys of `layer`, `[batchCapacity][NH][slotCapacity][hd]`.
    public func keys(layer: Int) -> UnsafeMutablePointer<Float> { keys + layer * layerStride }
    public func values(layer: Int) -> UnsafeMutablePointer<Float> { values + layer * layerStride }

    /// Free slots left.
    public var remaining: Int { slotCapacity - length }

    /// Keeps the rows `rows` (in that order) and drops the others: beam-search reordering
    /// (`rows[i]` = the beam row i continues), shrinking (finished rows removed) or growing (a row
    /// repeated, e.g. a prompt expanded to its beams). Only rows whose content changes are copied, and only
    /// their filled slots; a row that other rows copy before it is overwritten is saved first.
    public func select(rows: [Int]) throws(GPT2Error) {
        for r in rows where r < 0 || r >= batchSize {
            throw .invalidInput(argument: "cache row", reason: "\(r) is outside 0..<\(batchSize)")
        }
        guard !rows.isEmpty else { throw .invalidInput(argument: "cache rows", reason: "cannot keep zero rows") }
        if rows.count > batchCapacity {
            try regrow(rows: rows)
            return
        }
        let moving = rows.indices.filter { rows[$0] != $0 }
        let destinations = Set(moving)
        // Sources that a moving row will overwrite before (or while) others read them: stash them.
        let stashed = Array(Set(moving.map { rows[$0] }).filter { destinations.contains($0) })
        let stash = try KVCache(config: config, batchSize: max(stashed.count, 1), slotCapacity: slotCapacity)
        for (i, source) in stashed.enumerated() { copyRow(from: self, source, to: stash, i) }
        let stashIndex = Dictionary(uniqueKeysWithValues: stashed.enumerated().map { ($1, $0) })
        let newPositions = rows.map { nextPosition[$0] }
        for d in moving {
            if let i = stashIndex[rows[d]] {
                copyRow(from: stash, i, to: self, d)
            } else {
                copyRow(from: self, rows[d], to: self, d)
            }
        }
        batchSize = rows.count
        nextPosition = newPositions
    }

    /// Empties every row back to just the prefix (re-seeded from `prefix` when given, e.g. after a
    /// training step changed it; it must have the cache's prefix length).
    public func reset(prefix: PrefixSlots? = nil) throws(GPT2Error) {
        if let prefix, prefix.length != prefixLength || prefix.config != config {
            throw .invalidInput(
                argument: "prefix",
                reason: "\(prefix.length) slots for a cache made with a \(prefixLength)-slot prefix")
        }
        length = prefixLength
        nextPosition = [Int32](repeating: firstPosition, count: batchSize)
        if let prefix { seed(prefix: prefix, rows: 0..<batchSize) }
    }

    // MARK: - Internals

    /// Copies the prefix into slots `0..<P` of the given rows and marks them visible.
    func seed(prefix: PrefixSlots, rows: Range<Int>) {
        let (nh, hd, p) = (config.nHead, config.headDim, prefix.length)
        for l in 0..<config.nLayer {
            for b in rows {
                for h in 0..<nh {
                    let dst = (b * nh + h) * slotCapacity * hd
                    keys(layer: l).advanced(by: dst).update(from: prefix.keys(layer: l) + h * p * hd, count: p * hd)
                    values(layer: l).advanced(by: dst).update(from: prefix.values(layer: l) + h * p * hd, count: p * hd)
                }
            }
        }
        for b in rows { (mask + b * slotCapacity).update(repeating: 1, count: p) }
    }

    private func copyRow(from source: KVCache, _ s: Int, to target: KVCache, _ d: Int) {
        let (nh, hd, n) = (config.nHead, config.headDim, length)
        for l in 0..<config.nLayer {
            for h in 0..<nh {
                let so = (s * nh + h) * source.slotCapacity * hd, to = (d * nh + h) * target.slotCapacity * hd
                target.keys(layer: l).advanced(by: to).update(from: source.keys(layer: l) + so, count: n * hd)
                target.values(layer: l).advanced(by: to).update(from: source.values(layer: l) + so, count: n * hd)
            }
        }
        (target.mask + d * target.slotCapacity).update(from: source.mask + s * source.slotCapacity, count: n)
    }

    private func regrow(rows: [Int]) throws(GPT2Error) {
        let old = (keys, values, mask, batchCapacity)
        (keys, values, mask) = Self.allocate(config: config, rows: rows.count, slots: slotCapacity)
        batchCapacity = rows.count
        let newPositions = rows.map { nextPosition[$0] }
        let (nh, hd, n) = (config.nHead, config.headDim, length)
        for l in 0..<config.nLayer {
            for (d, s) in rows.enumerated() {
                for h in 0..<nh {
                    let so = l * old.3 * rowStride + (s * nh + h) * slotCapacity * hd
                    let to = (d * nh + h) * slotCapacity * hd
                    keys(layer: l).advanced(by: to).update(from: old.0 + so, count: n * hd)
                    values(layer: l).advanced(by: to).update(from: old.1 + so, count: n * hd)
                }
            }
        }
        for (d, s) in rows.enumerated() { (mask + d * slotCapacity).update(from: old.2 + s * slotCapacity, count: n) }
        old.0.deallocate()
        old.1.deallocate()
        old.2.deallocate()
        batchSize = rows.count
        nextPosition = newPositions
    }

    private static func allocate(config: GPT2Config, rows: Int, slots: Int) -> (
        UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt8>
    ) {
        let n = config.nLayer * rows * config.nHead * slots * config.headDim
        // Not zero-filled: only slots below `length` are ever read, and they are written first.
        let k = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: n)
        let v = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: n)
        let m = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * slots)
        m.initialize(repeating: 0, count: rows * slots)
        return (k, v, m)
    }
}
