/// Prefix-Tuning's trainable key/value slots (PEFT `get_prompt` / `past_key_values`): for every layer, P
/// keys and P values per head that every sequence attends to before its own tokens.
///
/// Layout `[layer, 2, head, P, headDim]` (index 0 = keys, 1 = values), one flat 64-byte-aligned buffer:
/// each (layer, key/value, head) block is P·headDim contiguous floats, exactly what is copied in front of
/// a cache row. The same type holds the prefix gradients.
///
/// PEFT stores the prefix (without projection) as an embedding `[P, L·2·C]` viewed as
/// `[P, L·2, NH, hd]`; `init(peftEmbedding:)` and `peftEmbedding()` convert.
///
/// PEFT's prefix takes up positions: it enters as `past_key_values`, so the first token's position is P.
/// AdapterHub's is concatenated inside each attention layer, invisible to the position ids, which start at 0
/// (`shiftsPositions` false).
public final class PrefixSlots: @unchecked Sendable {
    public let config: GPT2Config
    public let length: Int
    public let base: UnsafeMutablePointer<Float>
    /// Whether the tokens' positions start after the prefix (PEFT) or at 0 (AdapterHub).
    public let shiftsPositions: Bool

    /// Floats in one (layer, key/value) block: NH·P·hd.
    public var blockCount: Int { config.nHead * length * config.headDim }
    public var count: Int { config.nLayer * 2 * blockCount }

    /// A zero-filled prefix of `length` slots.
    public init(config: GPT2Config, length: Int, shiftsPositions: Bool = true) {
        self.config = config
        self.length = max(length, 0)
        self.shiftsPositions = shiftsPositions
        let n = max(config.nLayer * 2 * config.nHead * self.length * config.headDim, 1)
        base = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64).initializeMemory(
            as: Float.self, repeating: 0, count: n)
    }

    deinit { base.deallocate() }

    /// Keys of `layer`, `[NH, P, hd]`.
    public func keys(layer: Int) -> UnsafeMutablePointer<Float> { base + (layer * 2) * blockCount }
    /// Values of `layer`, `[NH, P, hd]`.
    public func values(layer: Int) -> UnsafeMutablePointer<Float> { base + (layer * 2 + 1) * blockCount }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    public func zero() { base.update(repeating: 0, count: count) }

    /// Positions the prefix takes from the model's `n_positions`: P with PEFT's convention, none with AdapterHub's.
    public var positionCount: Int { shiftsPositions ? length : 0 }

    /// From PEFT's prompt-encoder embedding `[P, L·2·C]` (row p = all layers' keys and values of slot p).
    public convenience init(config: GPT2Config, peftEmbedding: [Float], shiftsPositions: Bool = true) throws(GPT2Error)
    {
        let perSlot = config.nLayer * 2 * config.nEmbd
        guard perSlot > 0, peftEmbedding.count % perSlot == 0 else {
            throw .invalidInput(
                argument: "prefix embedding",
                reason: "\(peftEmbedding.count) floats is not a multiple of n_layer·2·n_embd = \(perSlot)")
        }
        self.init(config: config, length: peftEmbedding.count / perSlot, shiftsPositions: shiftsPositions)
        forEachPEFTIndex { mine, peft in base[mine] = peftEmbedding[peft] }
    }

    /// The PEFT embedding `[P, L·2·C]` of these slots.
    public func peftEmbedding() -> [Float] {
        var out = [Float](repeating: 0, count: count)
        forEachPEFTIndex { mine, peft in out[peft] = base[mine] }
        return out
    }

    /// Pairs every flat index of this layout with its index in PEFT's `[P, L, 2, NH, hd]`.
    private func forEachPEFTIndex(_ body: (Int, Int) -> Void) {
        let (nl, nh, hd, p) = (config.nLayer, config.nHead, config.headDim, length)
        for l in 0..<nl {
            for kv in 0..<2 {
                for h in 0..<nh {
                    for s in 0..<p {
                        let mine = (((l * 2 + kv) * nh + h) * p + s) * hd
                        let peft = (((s * nl + l) * 2 + kv) * nh + h) * hd
                        for d in 0..<hd { body(mine + d, peft + d) }
                    }
                }
            }
        }
    }
}
