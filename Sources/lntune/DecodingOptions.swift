import ArgumentParser
import LNTune

/// The decoding options, spelled as transformers names them (kebab case); unset ones keep the preset's value.
/// Each numeric option states its range (`NumericBound`); the ones that depend on the model (beams at most the
/// vocabulary, new tokens within the context) are checked again once it is loaded.
struct DecodingOptions: ParsableArguments {
    static let numBeams = NumericBound("--num-beams", 1...1000, note: "at most the vocabulary size")
    static let lengthPenalty = NumericBound("--length-penalty", -100.0...100.0)
    static let noRepeatNgramSize = NumericBound("--no-repeat-ngram-size", 0...1000, note: "0 disables")
    static let repetitionPenalty = NumericBound("--repetition-penalty", above: 0.0, atMost: 100.0, note: "1 disables")
    static let minNewTokens = NumericBound("--min-new-tokens", 0...100_000, note: "at most --max-new-tokens")
    static let maxNewTokens = NumericBound(
        "--max-new-tokens", 1...100_000, note: "the prompt and the new tokens must fit the model's context")
    static let temperature = NumericBound("--temperature", 0.001...1000.0)
    static let topK = NumericBound("--top-k", 0...1_000_000, note: "0 disables")
    static let topP = NumericBound("--top-p", above: 0.0, atMost: 1.0, note: "1 disables")
    static let numReturnSequences = NumericBound(
        "--num-return-sequences", 1...1000, note: "at most --num-beams with beam search")

    @Option(help: "Preset: sets every option below; the ones given override single settings.") var preset =
        GenerationPreset.greedy
    @Option(help: "Decoding mode (default: the preset's).") var decode: DecodingChoice.Mode?
    @Option(parsing: .unconditional, help: numBeams.help("Beams (num_beams).")) var numBeams: Int?
    @Option(
        parsing: .unconditional, help: lengthPenalty.help("Beam score = logprob / length ** this (length_penalty)."))
    var lengthPenalty: Double?
    @Option(help: "Beam stop rule (early_stopping).") var earlyStopping: EarlyStopping?
    @Option(
        parsing: .unconditional,
        help: noRepeatNgramSize.help("No n-gram of this size repeats (no_repeat_ngram_size)."))
    var noRepeatNgramSize: Int?
    @Option(parsing: .unconditional, help: repetitionPenalty.help("CTRL repetition penalty (repetition_penalty)."))
    var repetitionPenalty: Double?
    @Option(
        parsing: .unconditional,
        help: minNewTokens.help("No <|endoftext|> before this many new tokens (min_new_tokens)."))
    var minNewTokens: Int?
    @Option(parsing: .unconditional, help: maxNewTokens.help("New tokens at most (max_new_tokens).")) var maxNewTokens:
        Int?
    @Option(parsing: .unconditional, help: temperature.help("Sampling temperature.")) var temperature: Double?
    @Option(parsing: .unconditional, help: topK.help("Sample among the k most likely tokens (top_k).")) var topK: Int?
    @Option(parsing: .unconditional, help: topP.help("Nucleus sampling mass (top_p).")) var topP: Double?
    @Option(parsing: .unconditional, help: SharedBounds.seed.help("Sampler seed.")) var seed: UInt64?
    @Option(parsing: .unconditional, help: numReturnSequences.help("Outputs per prompt (num_return_sequences)."))
    var numReturnSequences: Int?
    @Option(parsing: .upToNextOption, help: "Strings never to generate (tokenised; bad_words_ids).") var badWords:
        [String] = []

    func validate() throws {
        try Self.numBeams.check(numBeams)
        try Self.lengthPenalty.check(lengthPenalty)
        try Self.noRepeatNgramSize.check(noRepeatNgramSize)
        try Self.repetitionPenalty.check(repetitionPenalty)
        try Self.minNewTokens.check(minNewTokens)
        try Self.maxNewTokens.check(maxNewTokens)
        try Self.temperature.check(temperature)
        try Self.topK.check(topK)
        try Self.topP.check(topP)
        try Self.numReturnSequences.check(numReturnSequences)
        if let empty = badWords.first(where: \.isEmpty) {
            throw ValidationError("--bad-words '\(empty)' is empty, which bans nothing; give the words to ban")
        }
    }

    func choice() -> DecodingChoice {
        var c = DecodingChoice()
        (c.preset, c.mode, c.earlyStopping, c.badWords) = (preset.name, decode, earlyStopping, badWords)
        (c.numBeams, c.lengthPenalty, c.noRepeatNgramSize, c.repetitionPenalty) =
            (numBeams, lengthPenalty, noRepeatNgramSize, repetitionPenalty)
        (c.minNewTokens, c.maxNewTokens, c.temperature, c.topK, c.topP, c.seed) =
            (minNewTokens, maxNewTokens, temperature, topK, topP, seed)
        c.numReturnSequences = numReturnSequences
        return c
    }
}
