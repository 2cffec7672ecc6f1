/// One row's tokens laid out exactly like a row of transformers' `input_ids` during `generate`: left padding to the
/// batch's longest prompt, the prompt, then the generated tokens.
///
/// The processors must see this padded layout to match transformers: `no_repeat_ngram_size`, `bad_words_ids` and
/// `min_length` look at the padded row, the repetition penalty skips the padding, `min_new_tokens` counts from the
/// padded width.
public struct TokenHistory: Sendable, Equatable {
    /// Padding, prompt and generated tokens.
    public private(set) var tokens: [Int]
    /// Number of leading pad tokens.
    public let padding: Int
    /// Padded prompt width (transformers' `input_ids_seq_length`), the same for every row of a batch.
    public let promptWidth: Int

    /// A row for `prompt` left-padded with `pad` to `width` tokens (`width >= prompt.count`).
    public init(prompt: [Int], width: Int, pad: Int) {
        let padding = max(0, width - prompt.count)
        tokens = [Int](repeating: pad, count: padding) + prompt
        tokens.reserveCapacity(width + 64)
        self.padding = padding
        self.promptWidth = padding + prompt.count
    }

    /// Tokens generated so far.
    public var generated: ArraySlice<Int> { tokens[promptWidth...] }

    /// The row without its padding (what the model conditions on).
    public var unpadded: ArraySlice<Int> { tokens[padding...] }

    public mutating func append(_ token: Int) { tokens.append(token) }
}
