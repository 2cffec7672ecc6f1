/// Rewrites one row's next-token scores given that row's history — transformers' `LogitsProcessor`, one row at a
/// time. Greedy search applies processors to raw logits, beam search to log-probabilities (as transformers does);
/// sampling appends the warpers (temperature, top-k, top-p) after the processors.
public protocol LogitsProcessor: Sendable {
    func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory)
}

extension GenerateParameters {
    /// The processors transformers' `_get_logits_processor` builds for these settings, in its order:
    /// repetition penalty, no-repeat n-gram, bad words, min length, min new tokens; then, when sampling,
    /// temperature, top-k, top-p. Settings that are disabled add nothing.
    public func logitsProcessors() -> [any LogitsProcessor] {
        var list: [any LogitsProcessor] = []
        if repetitionPenalty != 1 {
            list.append(RepetitionPenaltyProcessor(penalty: repetitionPenalty))
        }
        if noRepeatNgramSize > 0 {
            list.append(NoRepeatNGramProcessor(size: noRepeatNgramSize))
        }
        if !badWordsIds.isEmpty {
            let banned = BadWordsProcessor(sequences: badWordsIds, eosTokenId: eosTokenId)
            if !banned.isEmpty { list.append(banned) }
        }
        if let eos = eosTokenId, minLength > 0 {
            list.append(MinLengthProcessor(minLength: minLength, eosTokenId: eos))
        }
        if let eos = eosTokenId, minNewTokens > 0 {
            list.append(MinNewTokensProcessor(minNewTokens: minNewTokens, eosTokenId: eos))
        }
        if doSample {
            // transformers keeps one extra token per EOS id when sampling beams; plain sampling keeps 1.
            let keep = 1
            if temperature != 1 { list.append(TemperatureWarper(temperature: temperature)) }
            if topK != 0 { list.append(TopKWarper(k: topK, minTokensToKeep: keep)) }
            if topP < 1 { list.append(TopPWarper(p: topP, minTokensToKeep: keep)) }
        }
        return list
    }
}

extension Array where Element == any LogitsProcessor {
    /// Runs every processor in order on one row.
    func apply(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        for processor in self { processor.process(scores, history: history) }
    }
}
