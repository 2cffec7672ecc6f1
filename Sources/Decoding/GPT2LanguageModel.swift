import GPT2

/// `GPT2Model` driven through a `KVCache`, as the decoders need it: left-padded prefill, one token per row per
/// step, rows selected in place for beam search (`KVCache.select` copies only rows that move).
///
/// With Prefix-Tuning slots every row's cache starts with the prefix, and positions start after it (PEFT's
/// offset), so the prefix uses up `prefix.length` of the model's `n_positions` (AdapterHub's prefix, MAM's,
/// uses none).
public struct GPT2LanguageModel: CausalLanguageModel {
    public let model: GPT2Model
    public let prefix: PrefixSlots?
    /// The cache of the current batch (nil before the first `prefill`).
    public private(set) var cache: KVCache?

    public init(model: GPT2Model, prefix: PrefixSlots? = nil) {
        self.model = model
        self.prefix = prefix
    }

    public var vocabularySize: Int { model.config.vocabSize }

    public var maxSequenceLength: Int { model.config.nPositions - (prefix?.positionCount ?? 0) }

    public mutating func prefill(_ prompts: [[Int]], maxNewTokens: Int) throws -> [Float] {
        let width = prompts.map(\.count).max() ?? 0
        let capacity = (prefix?.length ?? 0) + width + max(0, maxNewTokens)
        let batch = try TokenBatch(rows: prompts.map { $0.map { Int32(truncatingIfNeeded: $0) } }, padding: .left)
        let fresh = try model.makeCache(batchSize: prompts.count, capacity: capacity, prefix: prefix)
        cache = fresh
        return try model.extend(fresh, with: batch, rows: .last).values
    }

    public mutating func step(_ tokens: [Int]) throws -> [Float] {
        guard let cache else { throw GPT2Error.invalidInput(argument: "step", reason: "called before prefill") }
        let batch = try TokenBatch(
            tokens: tokens.map { Int32(truncatingIfNeeded: $0) }, batchSize: tokens.count, length: 1)
        return try model.extend(cache, with: batch, rows: .last).values
    }

    public mutating func reorderCache(_ rows: [Int]) throws {
        guard let cache else {
            throw GPT2Error.invalidInput(argument: "reorderCache", reason: "called before prefill")
        }
        try cache.select(rows: rows)
    }
}
