/// What `lntune generate` (the `Generator` pipeline) refuses, each case naming the value and a fix. Errors of the
/// components it drives (tokenizer, dataset, adapter, decoding) pass through with their own messages.
public enum GenerateError: Error, Equatable, CustomStringConvertible {
    /// A setting outside its domain (`name` is the CLI option without dashes).
    case invalidSetting(name: String, value: String, hint: String)
    /// The prompt text encodes to no tokens.
    case emptyPrompt(source: String)
    /// The prompt does not leave room for one new token (plus the prefix slots).
    case promptTooLong(source: String, tokens: Int, available: Int, maxNewTokens: Int)
    /// The tokenizer has ids the model has no embedding for.
    case vocabularyMismatch(tokenizer: String, tokenizerSize: Int, modelSize: Int)
    /// The tokenizer has no `<|endoftext|>`, which ends generation and pads batches.
    case noEndOfText(tokenizer: String)
    /// An output file is there already.
    case outputExists(path: String)
    case io(path: String, reason: String)
    /// The data file has no example to generate for.
    case noExamples(file: String)

    public var description: String {
        switch self {
        case let .invalidSetting(name, value, hint):
            return "invalid --\(name) \(value) (\(hint))"
        case let .emptyPrompt(source):
            return "\(source): the prompt is empty (give at least one character of text to continue)"
        case let .promptTooLong(source, tokens, available, maxNewTokens):
            return "\(source): the prompt has \(tokens) tokens but only \(available) fit in the model's context "
                + "with --max-new-tokens \(maxNewTokens) (shorten the prompt or lower --max-new-tokens)"
        case let .vocabularyMismatch(tokenizer, tokenizerSize, modelSize):
            return "tokenizer \(tokenizer) has \(tokenizerSize) tokens but the model only \(modelSize) embeddings "
                + "(pass the model's own tokenizer with --tokenizer)"
        case let .noEndOfText(tokenizer):
            return "tokenizer \(tokenizer) has no <|endoftext|> token (needed to stop generation and pad batches)"
        case let .outputExists(path):
            return "\(path) exists; pass --overwrite to replace it, or choose another file"
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .noExamples(file):
            return "\(file): no examples to generate for"
        }
    }
}
