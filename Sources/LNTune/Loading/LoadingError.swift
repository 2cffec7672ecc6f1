extension LNTuneError {
    /// What `ModelLoader` refuses: a tokenizer, adapter or prefix that does not fit the model. Every pipeline
    /// (train, generate, perplexity, merge) loads through it, so each problem reads the same in all of them.
    public enum Loading: Equatable, Sendable, CustomStringConvertible {
        /// The tokenizer produces ids the model has no embedding for.
        case vocabularyMismatch(tokenizer: String, tokenizerSize: Int, model: String, modelSize: Int)
        /// The tokenizer has no `<|endoftext|>`, which templates use, generation stops at and batches pad with.
        case noEndOfText(tokenizer: String)
        /// The adapter was made for a model of another shape (depth, width, heads, vocabulary or positions).
        case adapterMismatch(adapter: String, adapterShape: String, model: String, modelShape: String)
        /// A prefix (an adapter's, or the one a run would train) leaves too few positions for tokens.
        case prefixTooLong(source: String, length: Int, positions: Int, minimumTokens: Int)

        public var description: String {
            switch self {
            case let .vocabularyMismatch(tokenizer, tokenizerSize, model, modelSize):
                return "the tokenizer \(tokenizer) has \(tokenizerSize) ids but the model \(model) has only"
                    + " \(modelSize) embeddings (vocab_size); pass the model's own tokenizer with --tokenizer, or a"
                    + " model trained with this one"
            case let .noEndOfText(tokenizer):
                return "the tokenizer \(tokenizer) has no <|endoftext|> token (templates use it, generation stops"
                    + " at it and batches are padded with it); pass a GPT-2 tokenizer with --tokenizer"
            case let .adapterMismatch(adapter, adapterShape, model, modelShape):
                return "the adapter \(adapter) does not fit the model \(model): the adapter has \(adapterShape),"
                    + " the model \(modelShape); pass the base model the adapter was trained on"
            case let .prefixTooLong(source, length, positions, minimumTokens):
                return "\(source): a prefix of \(length) slots leaves \(positions - length) of the model's"
                    + " \(positions) positions (n_positions) for tokens, fewer than \(minimumTokens); use a shorter"
                    + " prefix or a model with a longer context"
            }
        }
    }
}
