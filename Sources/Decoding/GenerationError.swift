/// Everything that can go wrong before or during decoding, each case carrying the offending value and a hint.
/// (Not `DecodingError`: that would shadow `Swift.DecodingError` for every importer.)
public enum GenerationError: Error, Equatable, CustomStringConvertible {
    /// A `GenerateParameters` field outside its domain (`name` is the transformers / JSON key).
    case invalidParameter(name: String, value: String, hint: String)
    /// A combination transformers itself does not run (e.g. beam sampling, which this module does not implement).
    case unsupported(feature: String, hint: String)
    case noPrompts
    case emptyPrompt(index: Int)
    case tokenOutOfRange(prompt: Int, position: Int, token: Int, vocabularySize: Int)
    /// The prompt alone does not leave room for one new token.
    case promptTooLong(index: Int, length: Int, maxSequenceLength: Int)
    /// Padded prompt width plus `max_new_tokens` exceeds the positions the model has.
    case lengthExceedsContext(promptWidth: Int, maxNewTokens: Int, maxSequenceLength: Int)
    /// The model returned a logits buffer of the wrong size.
    case badModelOutput(call: String, expected: Int, got: Int)
    case unknownPreset(name: String, available: [String])
    /// The model returned a logit that is NaN or infinite (broken weights or adapter, or an overflow):
    /// decoding would pick tokens from garbage, so it stops.
    case nonFiniteLogits(call: String, row: Int, token: Int, value: Float)
    /// The processors removed every token of a row (or left only NaN/infinite scores), so there is nothing to
    /// pick: `newTokens` tokens had been generated for it.
    case noTokenLeft(row: Int, newTokens: Int)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, hint):
            return "invalid generation parameter \(name) = \(value) (\(hint))"
        case let .unsupported(feature, hint):
            return "unsupported: \(feature) (\(hint))"
        case .noPrompts:
            return "no prompts to generate from (pass at least one prompt)"
        case let .emptyPrompt(index):
            return "prompt \(index) is empty (a causal model needs at least one token to condition on, e.g. BOS)"
        case let .tokenOutOfRange(prompt, position, token, vocabularySize):
            return "prompt \(prompt), position \(position): token id \(token) is outside the vocabulary "
                + "0..<\(vocabularySize) (was the prompt encoded with this model's tokenizer?)"
        case let .promptTooLong(index, length, maxSequenceLength):
            return "prompt \(index) has \(length) tokens but the model has \(maxSequenceLength) positions "
                + "(truncate the prompt to at most \(maxSequenceLength - 1) tokens)"
        case let .lengthExceedsContext(promptWidth, maxNewTokens, maxSequenceLength):
            return "prompt width \(promptWidth) + max_new_tokens \(maxNewTokens) = \(promptWidth + maxNewTokens) "
                + "exceeds the model's \(maxSequenceLength) positions (lower max_new_tokens to at most "
                + "\(max(0, maxSequenceLength - promptWidth)) or shorten the longest prompt of the batch)"
        case let .badModelOutput(call, expected, got):
            return "model \(call) returned \(got) logits, expected \(expected) (rows × vocabulary size)"
        case let .unknownPreset(name, available):
            return "unknown generation preset '\(name)' (available: \(available.joined(separator: ", ")))"
        case let .nonFiniteLogits(call, row, token, value):
            return "the model's \(call) returned \(value) as the logit of token \(token) in row \(row): the model or "
                + "adapter weights hold NaN or infinite values (check them, e.g. with lntune perplexity); nothing "
                + "is generated from such scores"
        case let .noTokenLeft(row, newTokens):
            return "row \(row): after \(newTokens) new tokens the settings leave no token to choose (every one "
                + "removed by bad_words_ids, no_repeat_ngram_size, min_new_tokens or top-k/top-p, or scores no "
                + "longer finite after the temperature); loosen those settings"
        }
    }
}
