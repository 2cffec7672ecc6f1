/// Every knob of a generation request, with transformers' names (JSON keys) and defaults, so a
/// `generation_config.json`-style object decodes directly and the decoders reproduce `generate` exactly.
///
/// Floating-point settings are `Double` because transformers keeps them as Python floats: `length_penalty`
/// enters `len ** length_penalty` in double precision before the float32 division.
public struct GenerateParameters: Sendable, Equatable, Codable {
    /// New tokens per sequence at most (transformers' `max_new_tokens`; the default `max_length` 20 is 20 new).
    public var maxNewTokens: Int = 20
    /// EOS is banned until this many new tokens exist (`min_new_tokens`).
    public var minNewTokens: Int = 0
    /// EOS is banned while the padded prompt plus new tokens is shorter than this (`min_length`; counts the
    /// prompt, as Li & Liang's `min_length=5` did).
    public var minLength: Int = 0
    /// Sample from the processed distribution instead of taking the arg-max.
    public var doSample: Bool = false
    public var numBeams: Int = 1
    /// Sequences returned per prompt: the n best finished beams, or n independent samples.
    public var numReturnSequences: Int = 1
    /// Beam scores are `sum logprob / generated_length ** length_penalty` (generated tokens only, EOS included).
    public var lengthPenalty: Double = 1.0
    public var earlyStopping: EarlyStopping = .heuristic
    public var temperature: Double = 1.0
    /// Keep the k most likely tokens when sampling (0 disables; transformers' default is 50).
    public var topK: Int = 50
    /// Keep the smallest set of tokens whose probability reaches `top_p` when sampling (1 disables).
    public var topP: Double = 1.0
    /// Locally typical sampling (Meister et al.): keep the tokens closest to the entropy up to this mass
    /// (`typical_p`; 1 disables).
    public var typicalP: Double = 1.0
    /// Truncation sampling (Hewitt et al.): drop tokens less likely than this (`epsilon_cutoff`; 0 disables).
    public var epsilonCutoff: Double = 0
    /// Entropy-dependent truncation: drop tokens below min(eta, sqrt(eta) * exp(-entropy)) (`eta_cutoff`;
    /// 0 disables).
    public var etaCutoff: Double = 0
    /// Tokens every sampling warper keeps at least. nil is what transformers computes (1; with beam sampling one
    /// more than the EOS ids, at least 2); transformers' `generate` has no such key, only the warpers'
    /// `min_tokens_to_keep` argument, which this sets.
    public var minTokensToKeep: Int?
    /// CTRL's penalty on tokens already in the prompt or the output (1 disables).
    public var repetitionPenalty: Double = 1.0
    /// No n-gram of this size may occur twice (0 disables).
    public var noRepeatNgramSize: Int = 0
    /// Token sequences that must never be generated (transformers' `bad_words_ids`).
    public var badWordsIds: [[Int]] = []
    /// Biases added to the score of a sequence's last token when the row ends with the rest (`sequence_bias`).
    public var sequenceBias: [SequenceBias] = []
    /// Forced as the first token when the padded prompt is one token long (`forced_bos_token_id`).
    public var forcedBosTokenId: Int?
    /// Forced as the last token when `max_new_tokens` is reached (`forced_eos_token_id`, one id or several).
    public var forcedEosTokenIds: [Int] = []
    /// Generation of a sequence stops at any of these tokens (`eos_token_id`, one id or a list); empty runs every
    /// sequence to `max_new_tokens`.
    public var eosTokenIds: [Int] = []
    /// Fills finished rows and left padding; defaults to the first EOS id as in transformers.
    public var padTokenId: Int?
    /// Seed of the sampler's random generator (this module's own; it cannot reproduce torch's draws).
    public var seed: UInt64 = 0

    public init() {}

    /// The one EOS id, or the first of several; setting it replaces the list.
    public var eosTokenId: Int? {
        get { eosTokenIds.first }
        set { eosTokenIds = newValue.map { [$0] } ?? [] }
    }

    /// The pad id transformers would use (explicit pad, else the first EOS, else 0).
    public var effectivePadTokenId: Int { padTokenId ?? eosTokenIds.first ?? 0 }

    /// Whether `token` ends a sequence.
    public func isEOS(_ token: Int) -> Bool { eosTokenIds.contains(token) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxNewTokens = "max_new_tokens"
        case minNewTokens = "min_new_tokens"
        case minLength = "min_length"
        case doSample = "do_sample"
        case numBeams = "num_beams"
        case numReturnSequences = "num_return_sequences"
        case lengthPenalty = "length_penalty"
        case earlyStopping = "early_stopping"
        case temperature
        case topK = "top_k"
        case topP = "top_p"
        case typicalP = "typical_p"
        case epsilonCutoff = "epsilon_cutoff"
        case etaCutoff = "eta_cutoff"
        case minTokensToKeep = "min_tokens_to_keep"
        case repetitionPenalty = "repetition_penalty"
        case noRepeatNgramSize = "no_repeat_ngram_size"
        case badWordsIds = "bad_words_ids"
        case sequenceBias = "sequence_bias"
        case forcedBosTokenId = "forced_bos_token_id"
        case forcedEosTokenIds = "forced_eos_token_id"
        case eosTokenIds = "eos_token_id"
        case padTokenId = "pad_token_id"
        case seed
    }

    /// Missing keys keep their defaults, so a partial JSON object (a fixture case, a preset override) decodes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        maxNewTokens = try value(.maxNewTokens, maxNewTokens)
        minNewTokens = try value(.minNewTokens, minNewTokens)
        minLength = try value(.minLength, minLength)
        doSample = try value(.doSample, doSample)
        numBeams = try value(.numBeams, numBeams)
        numReturnSequences = try value(.numReturnSequences, numReturnSequences)
        lengthPenalty = try value(.lengthPenalty, lengthPenalty)
        earlyStopping = try value(.earlyStopping, earlyStopping)
        temperature = try value(.temperature, temperature)
        topK = try value(.topK, topK)
        topP = try value(.topP, topP)
        typicalP = try value(.typicalP, typicalP)
        epsilonCutoff = try value(.epsilonCutoff, epsilonCutoff)
        etaCutoff = try value(.etaCutoff, etaCutoff)
        minTokensToKeep = try c.decodeIfPresent(Int.self, forKey: .minTokensToKeep)
        repetitionPenalty = try value(.repetitionPenalty, repetitionPenalty)
        noRepeatNgramSize = try value(.noRepeatNgramSize, noRepeatNgramSize)
        badWordsIds = try value(.badWordsIds, badWordsIds)
        sequenceBias = try value(.sequenceBias, sequenceBias)
        forcedBosTokenId = try c.decodeIfPresent(Int.self, forKey: .forcedBosTokenId)
        forcedEosTokenIds = try c.decodeIfPresent(TokenIDs.self, forKey: .forcedEosTokenIds)?.ids ?? []
        eosTokenIds = try c.decodeIfPresent(TokenIDs.self, forKey: .eosTokenIds)?.ids ?? []
        padTokenId = try c.decodeIfPresent(Int.self, forKey: .padTokenId)
        seed = try value(.seed, seed)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(maxNewTokens, forKey: .maxNewTokens)
        try c.encode(minNewTokens, forKey: .minNewTokens)
        try c.encode(minLength, forKey: .minLength)
        try c.encode(doSample, forKey: .doSample)
        try c.encode(numBeams, forKey: .numBeams)
        try c.encode(numReturnSequences, forKey: .numReturnSequences)
        try c.encode(lengthPenalty, forKey: .lengthPenalty)
        try c.encode(earlyStopping, forKey: .earlyStopping)
        try c.encode(temperature, forKey: .temperature)
        try c.encode(topK, forKey: .topK)
        try c.encode(topP, forKey: .topP)
        try c.encode(typicalP, forKey: .typicalP)
        try c.encode(epsilonCutoff, forKey: .epsilonCutoff)
        try c.encode(etaCutoff, forKey: .etaCutoff)
        try c.encodeIfPresent(minTokensToKeep, forKey: .minTokensToKeep)
        try c.encode(repetitionPenalty, forKey: .repetitionPenalty)
        try c.encode(noRepeatNgramSize, forKey: .noRepeatNgramSize)
        try c.encode(badWordsIds, forKey: .badWordsIds)
        try c.encode(sequenceBias, forKey: .sequenceBias)
        try c.encodeIfPresent(forcedBosTokenId, forKey: .forcedBosTokenId)
        if !forcedEosTokenIds.isEmpty { try c.encode(TokenIDs(forcedEosTokenIds), forKey: .forcedEosTokenIds) }
        if !eosTokenIds.isEmpty { try c.encode(TokenIDs(eosTokenIds), forKey: .eosTokenIds) }
        try c.encodeIfPresent(padTokenId, forKey: .padTokenId)
        try c.encode(seed, forKey: .seed)
    }
}

/// One entry of transformers' `sequence_bias`: `[[token ids], bias]` in JSON.
public struct SequenceBias: Sendable, Equatable, Codable {
    public var tokens: [Int]
    /// float32, as transformers stores the biases in a float tensor.
    public var bias: Float

    public init(tokens: [Int], bias: Float) {
        self.tokens = tokens
        self.bias = bias
    }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        tokens = try c.decode([Int].self)
        bias = Float(try c.decode(Double.self))
        guard c.isAtEnd else {
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "a sequence_bias entry is [[token ids], bias]")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(tokens)
        try c.encode(Double(bias))
    }
}

/// A token id that may also be written as a list (`eos_token_id: 50256` or `[50256, 198]`).
struct TokenIDs: Codable {
    var ids: [Int]

    init(_ ids: [Int]) { self.ids = ids }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let one = try? c.decode(Int.self) {
            ids = [one]
        } else {
            ids = try c.decode([Int].self)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if ids.count == 1 { try c.encode(ids[0]) } else { try c.encode(ids) }
    }
}
