import Datasets

/// A stand-in for GPT-2's tokenizer that is exactly as sensitive to where text is split: it applies
/// GPT-2's pre-tokenization regex and gives every pre-token its own id (a hash of its bytes). Real BPE maps
/// each pre-token independently too, so two texts get equal ids here exactly when their pre-token
/// sequences are equal — which is the property the prompt/target split must preserve.
struct PreTokenizingEncoder: TokenEncoder {
    static let endOfText = 50_256
    /// The regex of OpenAI's encoder.py / tiktoken's "gpt2" pattern.
    nonisolated(unsafe) static let pattern =
        #/'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/#
        .matchingSemantics(.unicodeScalar)

    var endOfTextID: Int? { Self.endOfText }

    func encode(_ text: String, allowSpecial: Bool) throws -> [Int] {
        guard allowSpecial else { return preTokens(text).map(Self.id) }
        var ids: [Int] = []
        let parts = text.split(separator: PromptTemplate.endOfText, omittingEmptySubsequences: false)
        for (k, part) in parts.enumerated() {
            if k > 0 { ids.append(Self.endOfText) }
            ids += preTokens(String(part)).map(Self.id)
        }
        return ids
    }

    func preTokens(_ text: String) -> [String] {
        text.unicodeScalars.isEmpty ? [] : text.matches(of: Self.pattern).map { String(text[$0.range]) }
    }

    /// FNV-1a of the pre-token's UTF-8, folded below the special id.
    static func id(_ preToken: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in preToken.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(hash % 50_000)
    }
}
