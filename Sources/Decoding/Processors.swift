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
/// inherits from; a bad "word" that is just the EOS token is dropped, as transformers does.
public struct BadWordsProcessor: LogitsProcessor {
    public let sequences: [[Int]]

    public init(sequences: [[Int]], eosTokenId: Int?) {
        self.sequences = sequences.filter { sequence in
            !sequence.isEmpty && (eosTokenId.map { sequence != [$0] } ?? true)
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

/// transformers' `MinLengthLogitsProcessor`: EOS is banned while the padded row is shorter than `minLength`.
public struct MinLengthProcessor: LogitsProcessor {
    public let minLength: Int
    public let eosTokenId: Int

    public init(minLength: Int, eosTokenId: Int) {
        self.minLength = minLength
        self.eosTokenId = eosTokenId
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        if history.tokens.count < minLength && eosTokenId < scores.count { scores[eosTokenId] = -.infinity }
    }
}

/// transformers' `MinNewTokensLengthLogitsProcessor`: EOS is banned until `minNewTokens` tokens were generated.
public struct MinNewTokensProcessor: LogitsProcessor {
    public let minNewTokens: Int
    public let eosTokenId: Int

    public init(minNewTokens: Int, eosTokenId: Int) {
        self.minNewTokens = minNewTokens
        self.eosTokenId = eosTokenId
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        if history.tokens.count - history.promptWidth < minNewTokens && eosTokenId < scores.count {
            scores[eosTokenId] = -.infinity
        }
    }
}
