import Datasets
import Tokenizers

/// The data pipeline (`SequenceEncoder`) encodes through `TokenEncoder`; GPT-2's tokenizer serves it here,
/// where both modules meet, so neither Datasets nor Tokenizers depends on the other.
///
/// `allowSpecial` false encodes `<|endoftext|>` in data text as plain text (tiktoken's `encode_ordinary`), so a
/// dataset cannot inject the special token; true is used only for a template's own special tokens.
extension GPT2Tokenizer: TokenEncoder {
    public func encode(_ text: String, allowSpecial: Bool) throws -> [Int] {
        try encode(text, special: allowSpecial ? .allow : .text)
    }
}
