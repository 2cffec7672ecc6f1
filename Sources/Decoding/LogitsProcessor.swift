/// Rewrites one row's next-token scores given that row's history — transformers' `LogitsProcessor`, one row at a
/// time. Greedy search applies processors to raw logits, beam search to log-probabilities (as transformers does);
/// sampling appends the warpers (temperature, top-k, top-p, typical, epsilon, eta) after the processors.
public protocol LogitsProcessor: Sendable {
    func process(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory)
}

extension GenerateParameters {
    /// The processors transformers' `_get_logits_processor` builds for these settings, in its order: sequence
    /// bias, repetition penalty, no-repeat n-gram, bad words, min length, min new tokens, forced BOS, forced EOS;
    /// then, when sampling, temperature, top-k, top-p, typical, epsilon, eta. Settings that are disabled add nothing.
    /// - Parameter promptWidth: the padded prompt width, which fixes where `forced_eos_token_id` applies
    ///   (transformers' `max_length` = prompt width + `max_new_tokens`).
    public func logitsProcessors(promptWidth: Int) -> [any LogitsProcessor] {
        var list: [any LogitsProcessor] = []
        if !sequenceBias.isEmpty { list.append(SequenceBiasProcessor(sequenceBias)) }
        if repetitionPenalty != 1 {
            list.append(RepetitionPenaltyProcessor(penalty: repetitionPenalty))
        }
        if noRepeatNgramSize > 0 {
            list.append(NoRepeatNGramProcessor(size: noRepeatNgramSize))
        }
        if !badWordsIds.isEmpty {
            let banned = BadWordsProcessor(sequences: badWordsIds, eosTokenIds: eosTokenIds)
            if !banned.isEmpty { list.append(banned) }
        }
        if !eosTokenIds.isEmpty, minLength > 0 {
            list.append(MinLengthProcessor(minLength: minLength, eosTokenIds: eosTokenIds))
        }
        if !eosTokenIds.isEmpty, minNewTokens > 0 {
            list.append(MinNewTokensProcessor(minNewTokens: minNewTokens, eosTokenIds: eosTokenIds))
        }
        if let forcedBosTokenId { list.append(ForcedBOSProcessor(tokenId: forcedBosTokenId)) }
        if !forcedEosTokenIds.isEmpty {
            list.append(ForcedEOSProcessor(maxLength: promptWidth + maxNewTokens, tokenIds: forcedEosTokenIds))
        }
        if doSample {
            let keep = warperMinTokensToKeep
            if temperature != 1 { list.append(TemperatureWarper(temperature: temperature)) }
            if topK != 0 { list.append(TopKWarper(k: topK, minTokensToKeep: keep)) }
            if topP < 1 { list.append(TopPWarper(p: topP, minTokensToKeep: keep)) }
            if typicalP < 1 { list.append(TypicalWarper(mass: typicalP, minTokensToKeep: keep)) }
            if epsilonCutoff > 0 { list.append(EpsilonWarper(epsilon: epsilonCutoff, minTokensToKeep: keep)) }
            if etaCutoff > 0 { list.append(EtaWarper(epsilon: etaCutoff, minTokensToKeep: keep)) }
        }
        return list
    }

    /// `min_tokens_to_keep` of the warpers: the explicit setting, else transformers' choice — 1 for plain
    /// sampling; with beam sampling one more than the EOS ids (2 without any), so every beam keeps a token that
    /// does not end it.
    public var warperMinTokensToKeep: Int {
        if let minTokensToKeep { return minTokensToKeep }
        return numBeams > 1 ? max(2, eosTokenIds.count + 1) : 1
    }
}

extension Array where Element == any LogitsProcessor {
    /// Runs every processor in order on one row.
    func apply(_ scores: UnsafeMutableBufferPointer<Float>, history: TokenHistory) {
        for processor in self { processor.process(scores, history: history) }
    }
}
