import TextIO

/// Everything that can go wrong loading a tokenizer or running it, each case naming the file and line,
/// the id, or the place in the input it is about, so a caller can print it and stop.
public enum TokenizerError: Error, Equatable, CustomStringConvertible, TextInputReporting {
    /// A file could not be read at all (missing, unreadable, a folder without the expected files).
    case unreadableFile(path: String, reason: String)
    /// A vocabulary, merges or rank file is not in the expected shape at `line` (1-based).
    case malformedFile(path: String, line: Int, reason: String)
    /// A merge rule names a token (either part or their concatenation) that `vocab.json` lacks.
    case mergeTokenNotInVocabulary(path: String, line: Int, token: String)
    /// A special token occurs in text encoded with `SpecialTokenPolicy.reject`.
    /// `text` is the index within a batch (nil for a single `encode`); `line` is 1-based within the text and
    /// `byteOffset` counts UTF-8 bytes from the start of that line.
    case disallowedSpecialToken(token: String, text: Int?, line: Int, byteOffset: Int)
    /// `decode` met an id the vocabulary does not define, at `position` in the id sequence.
    case unknownID(Int, position: Int)
    /// A `tokenize` / `perplexity` input that cannot be read, is not UTF-8, or (`--decode`) is not JSON,
    /// with line and column (from TextIO).
    case input(TextInputError)
    /// A line of `lntune tokenize --decode` input that is valid JSON but not an array of integers.
    case malformedIDLine(path: String, line: Int, reason: String)
    /// Another error located in an input file, e.g. a rejected special token on line 12 of `input.txt`.
    indirect case inInput(path: String, line: Int, TokenizerError)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .malformedFile(path, line, reason):
            return "\(path):\(line): \(reason)"
        case let .mergeTokenNotInVocabulary(path, line, token):
            return "\(path):\(line): merge uses token \(quoted(token)) that is not in the vocabulary "
                + "(hint: vocab.json and merges.txt must come from the same tokenizer)"
        case let .disallowedSpecialToken(token, text, line, byteOffset):
            // A single-line text (a CLI input line, already located by `inInput`) needs only the byte.
            let place =
                (text.map { "text \($0), " } ?? "") + (text == nil && line == 1 ? "" : "line \(line), ")
                + "byte \(byteOffset)"
            return "special token \(token) at \(place) is not allowed by --special reject "
                + "(hint: use allow to map it to its id, or text to encode it as ordinary text)"
        case let .unknownID(id, position):
            return "token id \(id) at position \(position) is not in the vocabulary"
        case let .input(problem):
            return problem.description
        case let .malformedIDLine(path, line, reason):
            return "\(path):\(line): expected a JSON array of token ids: \(reason)"
        case let .inInput(path, line, inner):
            return "\(path):\(line): \(inner)"
        }
    }

    private func quoted(_ token: String) -> String {
        "\"" + token.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\""
    }
}
