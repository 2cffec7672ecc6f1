/// A decoder-only language model as the decoders drive it: a batch of independent rows, each with its own
/// key/value cache, advanced one token per row per call.
///
/// The decoders never see padding. A conforming model must reproduce what transformers' `generate` does for a
/// left-padded batch with an explicit attention mask, because the fixtures come from there:
/// - row `r` holds prompt `r` *left-padded* to the batch's longest prompt; padded slots are masked out of
///   attention (they must contribute exactly nothing), and position ids count real tokens only — the first real
///   token of every row is at position 0 (transformers: `cumsum(mask) - 1`), generated tokens continue from there;
/// - rows never influence each other, so dropping or duplicating rows (`reorderCache`) must not change the logits
///   of the rows that remain (up to float rounding of a different batch size).
///
/// Prefix-Tuning models keep their trainable prefix slots in front of every row's cache; they occupy no token
/// positions of `maxSequenceLength` unless the model says so.
public protocol CausalLanguageModel {
    /// Number of logits per row.
    var vocabularySize: Int { get }

    /// Token positions available to one row, prompt (padded) plus generated tokens (GPT-2: `n_positions`).
    /// The decoders refuse a request whose padded prompt width plus `max_new_tokens` exceeds it.
    var maxSequenceLength: Int { get }

    /// Starts a new batch with one row per prompt, discarding any previous rows. Prompts are non-empty and may
    /// differ in length (the model pads on the left, see above). At most `maxNewTokens - 1` `step` calls follow
    /// (the last token is never fed back), so a cache sized for the longest prompt plus `maxNewTokens` suffices.
    /// - Returns: row-major `prompts.count × vocabularySize` logits of each prompt's last token.
    mutating func prefill(_ prompts: [[Int]], maxNewTokens: Int) throws -> [Float]

    /// Appends `tokens[r]` to row `r` (`tokens.count` equals the current number of rows).
    /// - Returns: row-major `tokens.count × vocabularySize` logits of the appended tokens.
    mutating func step(_ tokens: [Int]) throws -> [Float]

    /// Rebuilds the batch so that new row `i` continues old row `rows[i]`. Rows may repeat (a beam that splits
    /// into several continuations, `num_return_sequences` copies of a prompt) or be left out (finished rows and
    /// finished beam-search inputs are dropped), so `rows.count` may differ from the current row count.
    /// The decoders skip the call when `rows` is the identity. Implementations should avoid copying the whole
    /// cache where they can (e.g. move rows in place when `rows` is increasing, share prefix slots).
    mutating func reorderCache(_ rows: [Int]) throws
}

extension CausalLanguageModel {
    /// Calls `prefill` and checks the size of what came back.
    mutating func checkedPrefill(_ prompts: [[Int]], maxNewTokens: Int) throws -> [Float] {
        let logits = try prefill(prompts, maxNewTokens: maxNewTokens)
        try Self.check(logits, rows: prompts.count, vocabulary: vocabularySize, call: "prefill")
        return logits
    }

    /// Calls `step` and checks the size of what came back.
    mutating func checkedStep(_ tokens: [Int]) throws -> [Float] {
        let logits = try step(tokens)
        try Self.check(logits, rows: tokens.count, vocabulary: vocabularySize, call: "step")
        return logits
    }

    /// Calls `reorderCache` unless `rows` keeps every row where it is.
    mutating func reorderIfNeeded(_ rows: [Int], currentRows: Int) throws {
        if rows.count == currentRows && rows.indices.allSatisfy({ rows[$0] == $0 }) { return }
        try reorderCache(rows)
    }

    private static func check(_ logits: [Float], rows: Int, vocabulary: Int, call: String) throws {
        guard logits.count == rows * vocabulary else {
            throw GenerationError.badModelOutput(call: call, expected: rows * vocabulary, got: logits.count)
        }
        // A NaN or infinite logit would be decoded into text with exit status 0; it is the model's fault.
        let finite = logits.withUnsafeBufferPointer { RowMath.allFinite($0) }
        if !finite, let index = logits.firstIndex(where: { !$0.isFinite }) {
            throw GenerationError.nonFiniteLogits(
                call: call, row: index / max(vocabulary, 1), token: index % max(vocabulary, 1), value: logits[index])
        }
    }
}
