extension GenerateParameters {
    /// Throws the first setting transformers (or this module) would reject, naming the key and a fix.
    public func validate(vocabularySize: Int) throws {
        func fail(_ key: CodingKeys, _ value: Any, _ hint: String) -> GenerationError {
            .invalidParameter(name: key.rawValue, value: "\(value)", hint: hint)
        }
        func checkToken(_ key: CodingKeys, _ id: Int) throws {
            if id < 0 || id >= vocabularySize { throw fail(key, id, "must be a token id in 0..<\(vocabularySize)") }
        }
        guard maxNewTokens >= 1 else { throw fail(.maxNewTokens, maxNewTokens, "must be at least 1") }
        guard minNewTokens >= 0 else { throw fail(.minNewTokens, minNewTokens, "must be >= 0") }
        guard minLength >= 0 else { throw fail(.minLength, minLength, "must be >= 0") }
        guard numBeams >= 1 else { throw fail(.numBeams, numBeams, "must be at least 1") }
        // More beams than tokens cannot all differ after the first step; they only cost memory.
        guard numBeams <= vocabularySize else {
            throw fail(.numBeams, numBeams, "must be at most the vocabulary size (\(vocabularySize))")
        }
        guard minNewTokens <= maxNewTokens else {
            throw fail(
                .minNewTokens, minNewTokens,
                "exceeds max_new_tokens (\(maxNewTokens)), so the output could never end by itself; lower it")
        }
        guard numReturnSequences >= 1 else {
            throw fail(.numReturnSequences, numReturnSequences, "must be at least 1")
        }
        if numBeams == 1 && !doSample && numReturnSequences > 1 {
            throw fail(
                .numReturnSequences, numReturnSequences, "greedy search returns one sequence; use beams or sampling")
        }
        if numBeams > 1 && numReturnSequences > numBeams {
            throw fail(.numReturnSequences, numReturnSequences, "must be <= num_beams (\(numBeams))")
        }
        guard lengthPenalty.isFinite else { throw fail(.lengthPenalty, lengthPenalty, "must be finite") }
        guard temperature.isFinite && temperature > 0 else {
            throw fail(.temperature, temperature, "must be > 0; for greedy decoding set do_sample false")
        }
        guard topK >= 0 else { throw fail(.topK, topK, "must be >= 0 (0 disables top-k)") }
        guard topP > 0 && topP <= 1 else { throw fail(.topP, topP, "must be in (0, 1]; 1 disables top-p") }
        // transformers builds these warpers only for values strictly inside (0, 1) and raises for typical_p <= 0.
        guard typicalP > 0 && typicalP <= 1 else {
            throw fail(.typicalP, typicalP, "must be in (0, 1]; 1 disables typical sampling")
        }
        guard epsilonCutoff >= 0 && epsilonCutoff < 1 else {
            throw fail(.epsilonCutoff, epsilonCutoff, "must be in [0, 1); 0 disables it")
        }
        guard etaCutoff >= 0 && etaCutoff < 1 else {
            throw fail(.etaCutoff, etaCutoff, "must be in [0, 1); 0 disables it")
        }
        if let minTokensToKeep, minTokensToKeep < 1 {
            throw fail(.minTokensToKeep, minTokensToKeep, "must be at least 1")
        }
        guard repetitionPenalty.isFinite && repetitionPenalty > 0 else {
            throw fail(.repetitionPenalty, repetitionPenalty, "must be > 0; 1 disables the penalty")
        }
        guard noRepeatNgramSize >= 0 else { throw fail(.noRepeatNgramSize, noRepeatNgramSize, "must be >= 0") }
        for (i, sequence) in badWordsIds.enumerated() {
            guard !sequence.isEmpty else { throw fail(.badWordsIds, sequence, "entry \(i) is empty") }
            if let bad = sequence.first(where: { $0 < 0 || $0 >= vocabularySize }) {
                throw fail(.badWordsIds, bad, "entry \(i) has a token outside the vocabulary 0..<\(vocabularySize)")
            }
        }
        for (i, entry) in sequenceBias.enumerated() {
            guard !entry.tokens.isEmpty else { throw fail(.sequenceBias, entry.tokens, "entry \(i) has no tokens") }
            if let bad = entry.tokens.first(where: { $0 < 0 || $0 >= vocabularySize }) {
                throw fail(.sequenceBias, bad, "entry \(i) has a token outside the vocabulary 0..<\(vocabularySize)")
            }
            guard entry.bias.isFinite else { throw fail(.sequenceBias, entry.bias, "entry \(i): bias must be finite") }
        }
        for id in eosTokenIds { try checkToken(.eosTokenIds, id) }
        for id in forcedEosTokenIds { try checkToken(.forcedEosTokenIds, id) }
        if let forcedBosTokenId { try checkToken(.forcedBosTokenId, forcedBosTokenId) }
        if let padTokenId { try checkToken(.padTokenId, padTokenId) }
    }
}
