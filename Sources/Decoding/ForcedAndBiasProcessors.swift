/// transformers' `SequenceBiasLogitsProcessor`: a one-token sequence's bias is always added to its token; a longer
/// sequence's bias is added to its last token when the (padded) row ends with the rest of it.
///
/// transformers first sums the biases into a float32 vector — single tokens, then the longer sequences grouped by
/// prefix length in order of first appearance — and adds that vector to the scores; the same order here keeps the
/// float32 sums identical. A sequence given twice keeps its last bias (transformers turns the list into a dict).
public struct SequenceBiasProcessor: LogitsProcessor {
    /// Longer sequences: prefix, last token, bias — in transformers' summation order.
    let single: [(token: Int, bias: Float)]
    let multi: [(prefix: [Int], last: Int, bias: Float)]

    public init(_ entries: [SequenceBias]) {
        var order: [[Int]] = []
        var bias: [[Int]: Float] = [:]
        for entry in entries {
            if bias.updateValue(entry.bias, forKey: entry.tokens) == nil { order.append(entry.tokens) }
        }
        single = order.filter { $0.count == 1 }.map { ($0[0], bias[$0] ?? 0) }
        var lengths: [Int] = []
        for tokens in order where tokens.count > 1 && !lengths.contains(tokens.count - 1) {
            lengths.append(tokens.count - 1)
        }
        multi = lengths.flatMap { length in
            order.filter { $0.count - 1 == length }.map { (Array($0.dropLast()), $0[length], bias[$0] ?? 0) }
        }
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        var added: [Int: Float] = [:]
        for (token, bias) in single { added[token, default: 0] += bias }
        let tokens = history.tokens
        for (prefix, last, bias) in multi where prefix.count <= tokens.count {
            if tokens.suffix(prefix.count).elementsEqual(prefix) { added[last, default: 0] += bias }
        }
        for (token, bias) in added where token >= 0 && token < scores.count { scores[token] += bias }
    }
}

/// transformers' `ForcedBOSTokenLogitsProcessor`: when the row is one token long (a one-token padded prompt, as
/// transformers counts `cur_len`), every token but `tokenId` is removed and its score becomes 0.
public struct ForcedBOSProcessor: LogitsProcessor {
    public let tokenId: Int

    public init(tokenId: Int) { self.tokenId = tokenId }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        if history.tokens.count == 1 { scores.force([tokenId]) }
    }
}

/// transformers' `ForcedEOSTokenLogitsProcessor`: at the last step before `maxLength` (padded prompt width +
/// `max_new_tokens`), only the given ids remain, each with score 0.
public struct ForcedEOSProcessor: LogitsProcessor {
    public let maxLength: Int
    public let tokenIds: [Int]

    public init(maxLength: Int, tokenIds: [Int]) {
        self.maxLength = maxLength
        self.tokenIds = tokenIds
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        if history.tokens.count == maxLength - 1 { scores.force(tokenIds) }
    }
}
