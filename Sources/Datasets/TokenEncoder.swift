import Foundation

/// What the data pipeline needs from a tokenizer. `GPT2Tokenizer` (module Tokenizers) conforms; tests and
/// benchmarks may use `ByteTokenEncoder`.
public protocol TokenEncoder: Sendable {
    /// Token ids for `text`. With `allowSpecial` false, special-token strings such as `<|endoftext|>` are
    /// encoded as ordinary text (as tiktoken does with `disallowed_special=()`); with true, each occurrence
    /// becomes its special id. The data pipeline passes true only for a template's own special tokens.
    func encode(_ text: String, allowSpecial: Bool) throws -> [Int]
    /// The id of `<|endoftext|>`, if the vocabulary has it (used as the padding id).
    var endOfTextID: Int? { get }
}

/// A tokenizer-free encoder: one token per UTF-8 byte (ids 0–255) and `<|endoftext|>` = 256.
///
/// It makes loader, template and batching code testable and measurable without a vocabulary, and serves
/// byte-level toy models. It is not GPT-2's tokenizer: sequence lengths are about 4× longer.
public struct ByteTokenEncoder: TokenEncoder {
    public init() {}

    public var endOfTextID: Int? { 256 }

    public func encode(_ text: String, allowSpecial: Bool) throws -> [Int] {
        guard allowSpecial else { return text.utf8.map { Int($0) } }
        var ids: [Int] = []
        var rest = Substring(text)
        while let range = rest.range(of: PromptTemplate.endOfText) {
            ids += rest[..<range.lowerBound].utf8.map { Int($0) }
            ids.append(256)
            rest = rest[range.upperBound...]
        }
        return ids + rest.utf8.map { Int($0) }
    }
}
