import Decoding

/// How `lntune generate` turns `--preset`, `--decode` and the individual transformers-named options into one
/// `GenerateParameters`: the preset (default `greedy`) first, then the decoding mode, then every option the user
/// gave, so `--preset lilang-table2text --num-beams 3` is that preset with 3 beams.
public struct DecodingChoice: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case greedy, beam, sample
    }

    public var preset: String = GenerationPreset.greedy.name
    public var mode: Mode?
    public var numBeams: Int?
    public var lengthPenalty: Double?
    public var earlyStopping: EarlyStopping?
    public var noRepeatNgramSize: Int?
    public var repetitionPenalty: Double?
    public var minNewTokens: Int?
    public var maxNewTokens: Int?
    public var temperature: Double?
    public var topK: Int?
    public var topP: Double?
    public var seed: UInt64?
    public var numReturnSequences: Int?
    /// Strings the output must never contain, tokenised as they would appear mid-text (`bad_words_ids`).
    public var badWords: [String] = []

    public init() {}

    /// Beams used by `--decode beam` when neither the preset nor `--num-beams` says how many.
    public static let defaultBeams = 5

    /// The parameters for a model whose `<|endoftext|>` is `endOfText`; `encode` tokenises `--bad-words`.
    public func parameters(endOfText: Int, encode: (String) throws -> [Int]) throws -> GenerateParameters {
        var p = try GenerationPreset.named(preset).parameters
        switch mode {
        case .greedy?:
            p.numBeams = 1
            p.doSample = false
        case .beam?:
            p.doSample = false
            if p.numBeams == 1 { p.numBeams = Self.defaultBeams }
        case .sample?:
            p.numBeams = 1
            p.doSample = true
        case nil:
            break
        }
        if let numBeams { p.numBeams = numBeams }
        if let lengthPenalty { p.lengthPenalty = lengthPenalty }
        if let earlyStopping { p.earlyStopping = earlyStopping }
        if let noRepeatNgramSize { p.noRepeatNgramSize = noRepeatNgramSize }
        if let repetitionPenalty { p.repetitionPenalty = repetitionPenalty }
        if let minNewTokens { p.minNewTokens = minNewTokens }
        if let maxNewTokens { p.maxNewTokens = maxNewTokens }
        if let temperature { p.temperature = temperature }
        if let topK { p.topK = topK }
        if let topP { p.topP = topP }
        if let seed { p.seed = seed }
        if let numReturnSequences { p.numReturnSequences = numReturnSequences }
        for word in badWords {
            let ids = try encode(word)
            guard !ids.isEmpty else {
                throw LNTuneError.generation(
                    .invalidSetting(name: "bad-words", value: "'\(word)'", hint: "an empty string bans nothing"))
            }
            p.badWordsIds.append(ids)
        }
        // The presets name GPT-2's ids; a model with another vocabulary stops at its own <|endoftext|>.
        p.eosTokenId = endOfText
        return p
    }

    /// Parses `--early-stopping` the way transformers spells the values.
    public static func earlyStopping(_ text: String) throws -> EarlyStopping {
        switch text.lowercased() {
        case "true": return .immediate
        case "false": return .heuristic
        case "never": return .never
        default:
            throw LNTuneError.generation(
                .invalidSetting(name: "early-stopping", value: text, hint: "true, false or never"))
        }
    }
}
