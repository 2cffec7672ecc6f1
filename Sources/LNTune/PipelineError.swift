import GPT2
import Tokenizers
import Tuning

/// What can go wrong in the pipelines built here from the component modules (merge, perplexity): each case
/// names the file and line or wraps the component's own typed error, whose message already does.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    case model(GPT2Error)
    case tuning(TuningError)
    case tokenizer(TokenizerError)
    /// A text line that does not fit the model's context (never truncated silently).
    case lineTooLong(file: String, line: Int, tokens: Int, limit: Int, hint: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .model(error): return error.description
        case let .tuning(error): return error.description
        case let .tokenizer(error): return error.description
        case let .lineTooLong(file, line, tokens, limit, hint):
            return
                "\(file):\(line): \(tokens) positions, but only \(limit) fit in the model's context (n_positions); \(hint)"
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}
