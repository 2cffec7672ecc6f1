/// transformers' `RepetitionPenaltyLogitsProcessor`: every distinct token of the prompt (padding excluded) and of
/// the output has its score divided by `penalty` when positive and multiplied when negative.
public struct RepetitionPenaltyProcessor: LogitsProcessor {
    /// float32, as torch multiplies a float32 tensor by the Python float.
    public let penalty: Float

    public init(penalty: Double) { self.penalty = Float(penalty) }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        var seen = Set<Int>()
        for token in history.unpadded where token >= 0 && token < scores.count && seen.insert(token).inserted {
            let s = scores[token]
            scores[token] = s < 0 ? s * penalty : s / penalty
        }
    }
}

/// transformers' `NoRepeatNGramLogitsProcessor`: a token that would complete an n-gram already present in the
/// (padded) row is banned.
public struct NoRepeatNGramProcessor: LogitsProcessor {
    public let size: Int

    public init(size: Int) { self.size = size }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        let tokens = history.tokens
        let length = tokens.count
        guard size > 0, length >= size else { return }
        // The last size-1 tokens are the prefix an n-gram completed by the next token would start with; every
        // earlier window starting with the same prefix bans its own last token.
        let prefixStart = length + 1 - size
        for start in 0...(length - size) {
            var matches = true
            for k in 0..<(size - 1) where tokens[start + k] != tokens[prefixStart + k] {
                matches = false
                break
            }
            let banned = tokens[start + size - 1]
            if matches && banned >= 0 && banned < scores.count { scores[banned] = -.infinity }
        }
    }
}

/// transformers' `NoBadWordsLogitsProcessor`: single tokens are always banned, a longer sequence bans its last
/// token when the row ends with the rest of it. A ban adds -inf, like the `SequenceBiasLogitsProcessor` it
/// inherits from; a bad "word" that is just an EOS token is dropped, as transformers does.
public struct BadWordsProcessor: LogitsProcessor {
    public let sequences: [[Int]]

    public init(sequences: [[Int]], eosTokenIds: [Int]) {
        self.sequences = sequences.filter { sequence in
            !sequence.isEmpty && !eosTokenIds.contains { sequence == [$0] }
        }
    }

    public var isEmpty: Bool { sequences.isEmpty }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        let tokens = history.tokens
        for sequence in sequences {
            guard let last = sequence.last, last >= 0, last < scores.count else { continue }
            let prefix = sequence.dropLast()
            if prefix.count > tokens.count { continue }
            if prefix.isEmpty || tokens.suffix(prefix.count).elementsEqual(prefix) {
                scores[last] += -.infinity
            }
        }
    }
}

/// transformers' `MinLengthLogitsProcessor`: every EOS id is banned while the padded row is shorter than
/// `minLength` (the prompt counts, as transformers counts it for decoder-only models).
public struct MinLengthProcessor: LogitsProcessor {
    public let minLength: Int
    public let eosTokenIds: [Int]

    public init(minLength: Int, eosTokenIds: [Int]) {
        self.minLength = minLength
        self.eosTokenIds = eosTokenIds
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        if history.tokens.count < minLength { scores.ban(eosTokenIds) }
    }
}

/// transformers' `MinNewTokensLengthLogitsProcessor`: every EOS id is banned until `minNewTokens` tokens were
/// generated.
public struct MinNewTokensProcessor: LogitsProcessor {
    public let minNewTokens: Int
    public let eosTokenIds: [Int]

    public init(minNewTokens: Int, eosTokenIds: [Int]) {
        self.minNewTokens = minNewTokens
        self.eosTokenIds = eosTokenIds
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        if history.tokens.count - history.promptWidth < minNewTokens { scores.ban(eosTokenIds) }
    }
}

extension UnsafeMutableBufferPointer<Float> {
    /// Sets the scores of `tokens` (those inside the row) to -inf.
    func ban(_ tokens: [Int]) {
        for token in tokens where token >= 0 && token < count { self[token] = -.infinity }
    }

    /// Every score -inf except `tokens`, which become 0 — transformers' forced-token processors.
    func force(_ tokens: [Int]) {
        for i in indices { self[i] = -.infinity }
        for token in tokens where token >= 0 && token < count { self[token] = 0 }
    }
}
