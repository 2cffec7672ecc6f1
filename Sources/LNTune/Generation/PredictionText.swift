import Foundation

/// The prediction string of a generated sequence, made as Li & Liang's `run_generation.py` makes theirs: decode
/// with transformers' `clean_up_tokenization_spaces=True`, cut at the first `<|endoftext|>`, and `strip()`.
///
/// Their script decodes prompt + output and slices off the decoded prompt; every LNTune template's prompt ends
/// with `<|endoftext|>` or a non-space character, where no clean-up rule can span the boundary, so cleaning the
/// output alone gives the same text.
public enum PredictionText {
    /// transformers' `clean_up_tokenization` rules, applied in this order (each one a plain replace-all).
    static let cleanUpRules: [(String, String)] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ]

    /// The prediction for `decoded` (the decoded new tokens).
    public static func prediction(_ decoded: String, cleanUpSpaces: Bool = true) -> String {
        var text = decoded
        if let end = text.range(of: "<|endoftext|>") { text = String(text[..<end.lowerBound]) }
        if cleanUpSpaces {
            for (from, to) in cleanUpRules { text = text.replacingOccurrences(of: from, with: to) }
        }
        return strip(text)
    }

    /// Python's `str.strip()`: removes leading and trailing whitespace (Unicode `White_Space`).
    static func strip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// One line of a `--text` file: line breaks inside a prediction become spaces so that line k stays the
    /// k-th example's prediction (the scorers read one hypothesis per line).
    public static func line(_ prediction: String) -> String {
        prediction.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }).joined(separator: " ")
    }
}
