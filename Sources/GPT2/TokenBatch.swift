/// A batch of token sequences, `[B, T]` row-major, with an attention mask (1 = real token, 0 = padding).
///
/// Left padding is what generation uses (every row's newest token at t = T−1), right padding what training
/// uses; both work everywhere. Position ids follow transformers' `generate` (and PEFT's prefix offset):
/// a real token's position is the number of real tokens before it in its row plus the slots already
/// in the cache (prefix and past tokens), so right-padded rows get 0, 1, … and left-padded rows start
/// at 0 after their pads; pads get the cache offset (their outputs are never read).
public struct TokenBatch: Sendable, Equatable {
    public let batchSize: Int
    public let length: Int
    /// `[B·T]` token ids.
    public var tokens: [Int32]
    /// `[B·T]`, 1 for a real token and 0 for padding.
    public var mask: [UInt8]
    /// Explicit `[B·T]` position ids overriding the rule above (e.g. to reproduce a reference exactly).
    public var positions: [Int32]?

    /// A batch from flat arrays; `mask` nil means every token is real.
    public init(
        tokens: [Int32], mask: [UInt8]? = nil, positions: [Int32]? = nil, batchSize: Int, length: Int
    ) throws(GPT2Error) {
        guard batchSize > 0, length > 0 else {
            throw .invalidInput(argument: "batch shape", reason: "[\(batchSize), \(length)] must be non-empty")
        }
        let n = batchSize * length
        guard tokens.count == n else {
            throw .invalidInput(argument: "tokens", reason: "\(tokens.count) ids for a [\(batchSize), \(length)] batch")
        }
        if let mask, mask.count != n {
            throw .invalidInput(argument: "mask", reason: "\(mask.count) entries for a [\(batchSize), \(length)] batch")
        }
        if let positions, positions.count != n {
            throw .invalidInput(
                argument: "positions", reason: "\(positions.count) entries for [\(batchSize), \(length)]")
        }
        self.batchSize = batchSize
        self.length = length
        self.tokens = tokens
        self.mask = (mask ?? [UInt8](repeating: 1, count: n)).map { $0 == 0 ? 0 : 1 }
        self.positions = positions
    }

    public enum Padding: Sendable { case left, right }

    /// Pads ragged rows to the longest with `padToken` on the given side.
    public init(rows: [[Int32]], padding: Padding, padToken: Int32 = 0) throws(GPT2Error) {
        let t = rows.map(\.count).max() ?? 0
        var tokens: [Int32] = [], mask: [UInt8] = []
        for row in rows {
            let pad = t - row.count
            let padTokens = [Int32](repeating: padToken, count: pad), padMask = [UInt8](repeating: 0, count: pad)
            let realMask = [UInt8](repeating: 1, count: row.count)
            tokens += padding == .left ? padTokens + row : row + padTokens
            mask += padding == .left ? padMask + realMask : realMask + padMask
        }
        try self.init(tokens: tokens, mask: mask, batchSize: rows.count, length: t)
    }

    /// Position ids of every token given `offset[b]` slots (prefix + cached tokens) before this batch,
    /// or the explicit ones.
    func resolvedPositions(offsets: [Int32]) -> [Int32] {
        if let positions { return positions }
        var out = [Int32](repeating: 0, count: tokens.count)
        for b in 0..<batchSize {
            var next = offsets[b]
            for t in 0..<length {
                let i = b * length + t
                if mask[i] != 0 {
                    out[i] = next
                    next += 1
                } else {
                    out[i] = offsets[b]
                }
            }
        }
        return out
    }

    /// Throws unless every id is in the vocabulary and every position below `n_positions`.
    func validate(positions: [Int32], config: GPT2Config) throws(GPT2Error) {
        for (i, token) in tokens.enumerated() where token < 0 || Int(token) >= config.vocabSize {
            throw .invalidInput(
                argument: "token id",
                reason: "\(token) at row \(i / length), t \(i % length) is outside 0..<\(config.vocabSize)")
        }
        for (i, p) in positions.enumerated() where p < 0 || Int(p) >= config.nPositions {
            throw .invalidInput(
                argument: "position",
                reason: "\(p) at row \(i / length), t \(i % length) is outside 0..<\(config.nPositions) (n_positions);"
                    + " shorten the input or the prefix")
        }
    }
}
