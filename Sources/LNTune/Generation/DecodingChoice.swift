import Decoding

/// How `lntune generate` turns `--preset`, `--decode` and the individual transformers-named options into one
/// `GenerateParameters`: the preset (default `greedy`) first, then — unless a preset was chosen explicitly — the
/// model folder's `generation_config.json`, then the decoding mode, then every option the user gave, so
/// `--preset lilang-table2text --num-beams 3` is that preset with 3 beams. Precedence: flags > file > defaults.
public struct DecodingChoice: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case greedy, beam, sample
    }

    public var preset: String = GenerationPreset.greedy.name
    /// Whether `preset` was named by the user; a chosen preset replaces the file's settings as a whole.
    public var presetGiven = false
    /// The model folder's `generation_config.json`, applied between the preset and the flags.
    public var configFile: GenerationConfigFile?
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
    public var minLength: Int?
    /// `--eos-token-id` (repeatable); empty keeps the file's or the tokenizer's `<|endoftext|>`.
    public var eosTokenIds: [Int] = []
    public var minTokensToKeep: Int?
    public var typicalP: Double?
    public var epsilonCutoff: Double?
    public var etaCutoff: Double?
    public var sequenceBias: [SequenceBias]?
    public var forcedBosTokenId: Int?
    public var forcedEosTokenIds: [Int] = []
    /// Strings the output must never contain, tokenised as they would appear mid-text (`bad_words_ids`).
    public var badWords: [String] = []

    public init() {}

    /// Beams used by `--decode beam` when neither the preset nor `--num-beams` says how many.
    public static let defaultBeams = 5

    /// The parameters for a model whose `<|endoftext|>` is `endOfText`; `encode` tokenises `--bad-words`.
    public func parameters(endOfText: Int, encode: (String) throws -> [Int]) throws -> GenerateParameters {
        var p = try GenerationPreset.named(preset).parameters
        // The presets name GPT-2's ids; a model with another vocabulary stops at its own <|endoftext|>.
        p.eosTokenId = endOfText
        if let configFile, !presetGiven {
            configFile.apply(to: &p)
            if configFile.maxLength != nil && !configFile.keys.contains("max_new_tokens") && maxNewTokens == nil {
                throw LNTuneError.generation(
                    .badGenerationConfig(
                        path: configFile.path, key: "max_length",
                        reason: "counts the prompt, which LNTune cannot turn into new tokens for every prompt; set "
                            + "max_new_tokens in the file or pass --max-new-tokens"))
            }
        }
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
        if let minLength { p.minLength = minLength }
        if !eosTokenIds.isEmpty { p.eosTokenIds = eosTokenIds }
        if let minTokensToKeep { p.minTokensToKeep = minTokensToKeep }
        if let typicalP { p.typicalP = typicalP }
        if let epsilonCutoff { p.epsilonCutoff = epsilonCutoff }
        if let etaCutoff { p.etaCutoff = etaCutoff }
        if let sequenceBias { p.sequenceBias = sequenceBias }
        if let forcedBosTokenId { p.forcedBosTokenId = forcedBosTokenId }
        if !forcedEosTokenIds.isEmpty { p.forcedEosTokenIds = forcedEosTokenIds }
        for word in badWords {
            let ids = try encode(word)
            guard !ids.isEmpty else {
                throw LNTuneError.generation(
                    .invalidSetting(name: "bad-words", value: "'\(word)'", hint: "an empty string bans nothing"))
            }
            p.badWordsIds.append(ids)
        }
        return p
    }

    /// The settings taken from `configFile` ("" when none applies), for a line on stderr.
    public var configFileSummary: String {
        guard let configFile, !configFile.keys.isEmpty else { return "" }
        if presetGiven { return "\(configFile.path) ignored: --preset \(preset) sets every decoding option" }
        return "defaults from \(configFile.path): " + configFile.keys.joined(separator: ", ")
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
