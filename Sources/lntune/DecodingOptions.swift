import ArgumentParser
import Foundation
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
    static let minLength = NumericBound("--min-length", 0...100_000, note: "counts the prompt; 0 disables")
    static let tokenId = NumericBound("--eos-token-id", 0...10_000_000, note: "and inside the vocabulary")
    static let forcedBos = NumericBound("--forced-bos-token-id", 0...10_000_000, note: "and inside the vocabulary")
    static let forcedEos = NumericBound("--forced-eos-token-id", 0...10_000_000, note: "and inside the vocabulary")
    static let minTokensToKeep = NumericBound("--min-tokens-to-keep", 1...1_000_000)
    static let typicalP = NumericBound("--typical-p", above: 0.0, atMost: 1.0, note: "1 disables")
    static let epsilonCutoff = NumericBound("--epsilon-cutoff", atLeast: 0.0, below: 1.0, note: "0 disables")
    static let etaCutoff = NumericBound("--eta-cutoff", atLeast: 0.0, below: 1.0, note: "0 disables")

    @Option(
        help: """
            Preset: sets every option below; the ones given override single settings. Without --preset the model \
            folder's generation_config.json (if any) sets defaults over greedy's.
            """)
    var preset: GenerationPreset?
    @Flag(help: "Ignore the model folder's generation_config.json.") var noGenerationConfig = false
    @Option(help: "Decoding mode (default: the preset's); sample with --num-beams > 1 is beam sampling.")
    var decode: DecodingChoice.Mode?
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
    @Option(
        parsing: .unconditional,
        help: minLength.help("No EOS while prompt + new tokens are fewer (min_length, as transformers counts it)."))
    var minLength: Int?
    @Option(
        parsing: .unconditionalSingleValue,
        help: tokenId.help("End of sequence; repeat for several (eos_token_id; default <|endoftext|>)."))
    var eosTokenId: [Int] = []
    @Option(
        parsing: .unconditional, help: minTokensToKeep.help("Tokens every sampling warper keeps at least."))
    var minTokensToKeep: Int?
    @Option(parsing: .unconditional, help: typicalP.help("Locally typical sampling mass (typical_p).")) var typicalP:
        Double?
    @Option(
        parsing: .unconditional, help: epsilonCutoff.help("Sampling drops tokens less likely than this."))
    var epsilonCutoff: Double?
    @Option(
        parsing: .unconditional,
        help: etaCutoff.help("Sampling drops tokens below min(eta, sqrt(eta)*exp(-entropy)) (eta_cutoff)."))
    var etaCutoff: Double?
    @Option(
        help: """
            Biases added to token sequences (sequence_bias), as transformers writes them: a JSON list of \
            [[token ids], bias] pairs, e.g. '[[[464], -5.0], [[318, 257], 2.5]]', or the path of a file holding it. \
            A one-token sequence is always biased, a longer one when the output ends with the rest of it.
            """)
    var sequenceBias: String?
    @Option(parsing: .unconditional, help: forcedBos.help("Forced first token when the prompt is one token long."))
    var forcedBosTokenId: Int?
    @Option(
        parsing: .unconditionalSingleValue,
        help: forcedEos.help("Forced last token at --max-new-tokens; repeat for several (forced_eos_token_id)."))
    var forcedEosTokenId: [Int] = []

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
        try Self.minLength.check(minLength)
        for id in eosTokenId { try Self.tokenId.check(id) }
        try Self.forcedBos.check(forcedBosTokenId)
        for id in forcedEosTokenId { try Self.forcedEos.check(id) }
        try Self.minTokensToKeep.check(minTokensToKeep)
        try Self.typicalP.check(typicalP)
        try Self.epsilonCutoff.check(epsilonCutoff)
        try Self.etaCutoff.check(etaCutoff)
        _ = try parsedSequenceBias()
        if let empty = badWords.first(where: \.isEmpty) {
            throw ValidationError("--bad-words '\(empty)' is empty, which bans nothing; give the words to ban")
        }
    }

    /// `--sequence-bias` read as transformers' list form; a usage error names what is wrong.
    func parsedSequenceBias() throws -> [SequenceBias]? {
        guard let sequenceBias else { return nil }
        let text: String
        if sequenceBias.trimmingCharacters(in: .whitespaces).hasPrefix("[") {
            text = sequenceBias
        } else {
            guard let contents = try? String(contentsOfFile: sequenceBias, encoding: .utf8) else {
                throw ValidationError(
                    "--sequence-bias '\(sequenceBias)' is neither a JSON list nor a readable UTF-8 file")
            }
            text = contents
        }
        let entries: [SequenceBias]
        do {
            entries = try JSONDecoder().decode([SequenceBias].self, from: Data(text.utf8))
        } catch {
            throw ValidationError(
                "--sequence-bias: expected a JSON list of [[token ids], bias] pairs such as '[[[464], -5.0]]' ("
                    + "\(error))")
        }
        if let bad = entries.first(where: { $0.tokens.isEmpty || $0.tokens.contains { $0 < 0 } || !$0.bias.isFinite }) {
            throw ValidationError(
                "--sequence-bias: entry [\(bad.tokens), \(bad.bias)] needs at least one token id >= 0 and a finite bias"
            )
        }
        guard !entries.isEmpty else {
            throw ValidationError("--sequence-bias: the list is empty, which biases nothing")
        }
        return entries
    }

    func choice() throws -> DecodingChoice {
        var c = DecodingChoice()
        (c.preset, c.presetGiven) = (preset?.name ?? GenerationPreset.greedy.name, preset != nil)
        (c.mode, c.earlyStopping, c.badWords) = (decode, earlyStopping, badWords)
        (c.numBeams, c.lengthPenalty, c.noRepeatNgramSize, c.repetitionPenalty) =
            (numBeams, lengthPenalty, noRepeatNgramSize, repetitionPenalty)
        (c.minNewTokens, c.maxNewTokens, c.temperature, c.topK, c.topP, c.seed) =
            (minNewTokens, maxNewTokens, temperature, topK, topP, seed)
        c.numReturnSequences = numReturnSequences
        (c.minLength, c.eosTokenIds, c.minTokensToKeep) = (minLength, eosTokenId, minTokensToKeep)
        (c.typicalP, c.epsilonCutoff, c.etaCutoff) = (typicalP, epsilonCutoff, etaCutoff)
        (c.sequenceBias, c.forcedBosTokenId, c.forcedEosTokenIds) =
            (try parsedSequenceBias(), forcedBosTokenId, forcedEosTokenId)
        return c
    }
}
