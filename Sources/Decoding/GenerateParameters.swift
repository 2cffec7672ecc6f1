/// When beam search stops — transformers' `early_stopping` (`false`, `true` or `"never"`).
public enum EarlyStopping: Sendable, Equatable, Codable, CustomStringConvertible {
    /// `false` (the default): stop an input once its best running beam, scored at the *current* length, can no
    /// longer beat the worst of its `num_beams` finished hypotheses.
    case heuristic
    /// `true`: stop an input as soon as it has `num_beams` finished hypotheses.
    case immediate
    /// `"never"`: canonical beam search — like `heuristic`, but with a positive length penalty the best running
    /// beam is scored at the *maximum* length, so the search only stops when no beam can improve.
    case never

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = flag ? .immediate : .heuristic
        } else if let text = try? container.decode(String.self), text == "never" {
            self = .never
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "early_stopping must be true, false or \"never\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .heuristic: try container.encode(false)
        case .immediate: try container.encode(true)
        case .never: try container.encode("never")
        }
    }

    public var description: String {
        switch self {
        case .heuristic: return "false"
        case .immediate: return "true"
        case .never: return "never"
        }
    }
}

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
    /// CTRL's penalty on tokens already in the prompt or the output (1 disables).
    public var repetitionPenalty: Double = 1.0
    /// No n-gram of this size may occur twice (0 disables).
    public var noRepeatNgramSize: Int = 0
    /// Token sequences that must never be generated (transformers' `bad_words_ids`).
    public var badWordsIds: [[Int]] = []
    /// Generation of a sequence stops at this token; nil runs every sequence to `max_new_tokens`.
    public var eosTokenId: Int?
    /// Fills finished rows and left padding; defaults to `eosTokenId` as in transformers.
    public var padTokenId: Int?
    /// Seed of the sampler's random generator (this module's own; it cannot reproduce torch's draws).
    public var seed: UInt64 = 0

    public init() {}

    /// The pad id transformers would use (explicit pad, else EOS, else 0).
    public var effectivePadTokenId: Int { padTokenId ?? eosTokenId ?? 0 }

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
        case repetitionPenalty = "repetition_penalty"
        case noRepeatNgramSize = "no_repeat_ngram_size"
        case badWordsIds = "bad_words_ids"
        case eosTokenId = "eos_token_id"
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
        repetitionPenalty = try value(.repetitionPenalty, repetitionPenalty)
        noRepeatNgramSize = try value(.noRepeatNgramSize, noRepeatNgramSize)
        badWordsIds = try value(.badWordsIds, badWordsIds)
        eosTokenId = try c.decodeIfPresent(Int.self, forKey: .eosTokenId)
        padTokenId = try c.decodeIfPresent(Int.self, forKey: .padTokenId)
        seed = try value(.seed, seed)
    }

    /// Throws the first setting transformers (or this module) would reject, naming the key and a fix.
    public func validate(vocabularySize: Int) throws {
        func fail(_ key: CodingKeys, _ value: Any, _ hint: String) -> GenerationError {
            .invalidParameter(name: key.rawValue, value: "\(value)", hint: hint)
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
        if numBeams > 1 && doSample {
            throw GenerationError.unsupported(
                feature: "beam sampling (num_beams > 1 with do_sample)",
                hint: "use either beam search or sampling")
        }
        guard lengthPenalty.isFinite else { throw fail(.lengthPenalty, lengthPenalty, "must be finite") }
        guard temperature.isFinite && temperature > 0 else {
            throw fail(.temperature, temperature, "must be > 0; for greedy decoding set do_sample false")
        }
        guard topK >= 0 else { throw fail(.topK, topK, "must be >= 0 (0 disables top-k)") }
        guard topP > 0 && topP <= 1 else { throw fail(.topP, topP, "must be in (0, 1]; 1 disables top-p") }
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
        for (key, id) in [(CodingKeys.eosTokenId, eosTokenId), (.padTokenId, padTokenId)] {
            if let id, id < 0 || id >= vocabularySize {
                throw fail(key, id, "must be a token id in 0..<\(vocabularySize)")
            }
        }
    }
}
