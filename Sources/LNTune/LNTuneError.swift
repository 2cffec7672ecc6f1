import GPT2
import Tokenizers
import Tuning

/// Everything the LNTune pipelines refuse or fail at, one enum for the module: each case names the file, line
/// or value and says what to do. Errors of the component modules that a pipeline only passes through
/// (a bad data row is a `DatasetError`, a bad decoding setting a `GenerationError`) keep their own type.
///
/// The cases of one command are grouped (`.hub`, `.training`, `.generation`) because the same words mean
/// different things per command: an output that exists is a run folder with files to `train` but one file to
/// `generate`, and the two commands spell their setting and vocabulary messages differently.
public enum LNTuneError: Error, Equatable, CustomStringConvertible {
    /// A component's own typed error, raised by the merge and perplexity pipelines; its message names the file.
    case model(GPT2Error)
    case tuning(TuningError)
    case tokenizer(TokenizerError)
    /// A text line that does not fit the model's context (never truncated silently).
    case lineTooLong(file: String, line: Int, tokens: Int, limit: Int, hint: String)
    /// A local file or folder could not be read or written.
    case io(path: String, reason: String)
    /// Finding a model by name or downloading it from the Hugging Face hub.
    case hub(Hub)
    /// What can stop `lntune train` before or during a run.
    case training(Training)
    /// What `lntune generate` (the `Generator` pipeline) refuses.
    case generation(Generation)

    public var description: String {
        switch self {
        case let .model(error): return error.description
        case let .tuning(error): return error.description
        case let .tokenizer(error): return error.description
        case let .lineTooLong(file, line, tokens, limit, hint):
            return
                "\(file):\(line): \(tokens) positions, but only \(limit) fit in the model's context (n_positions); \(hint)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .hub(failure): return failure.description
        case let .training(failure): return failure.description
        case let .generation(failure): return failure.description
        }
    }

    public enum Hub: Equatable, Sendable, CustomStringConvertible {
        /// Neither an existing folder nor a hub name (`gpt2`, `openai-community/gpt2`).
        case invalidName(String, reason: String)
        /// A valid name with no complete snapshot in the local cache.
        case notInCache(name: String, revision: String, cache: String)
        /// The hub (or mirror) answered with an error status.
        case http(status: Int, url: String)
        /// The transfer failed (connection refused, cut short, timed out) after the retries.
        case network(url: String, reason: String)
        /// A response that does not make sense (a `Content-Range` that does not continue our partial file).
        case badResponse(url: String, reason: String)

        public var description: String {
            switch self {
            case let .invalidName(name, reason):
                return "'\(name)' is neither a model folder nor a Hugging Face model name: \(reason)"
            case let .notInCache(name, revision, cache):
                let rev = revision == "main" ? "" : " --revision \(revision)"
                return "model '\(name)' (revision \(revision)) is not a folder and is not in the Hugging Face cache at"
                    + " \(cache); run `lntune download \(name)\(rev)` first, or pass the path of a model folder"
            case let .http(status, url):
                return "\(url): HTTP \(status)" + Self.hint(status)
            case let .network(url, reason):
                return "\(url): download failed: \(reason) (run the command again to resume)"
            case let .badResponse(url, reason):
                return "\(url): unexpected response: \(reason)"
            }
        }

        private static func hint(_ status: Int) -> String {
            switch status {
            case 401, 403:
                return " (not authorized: the repository is private or gated, or does not exist; set HF_TOKEN to an"
                    + " access token with read permission)"
            case 404: return " (no such file, repository or revision on the hub)"
            case 429: return " (rate limited: wait a little, or set HF_TOKEN)"
            default: return ""
            }
        }
    }

    public enum Training: Equatable, Sendable, CustomStringConvertible {
        /// A setting that cannot work, with the option name as the CLI spells it.
        case invalidSetting(name: String, value: String, hint: String)
        /// The output folder already holds files and neither `--overwrite` nor `--resume` was given.
        case outputExists(path: String, files: [String])
        /// `--resume` without a checkpoint to resume from.
        case nothingToResume(path: String, reason: String)
        /// `--resume` with settings or data that differ from the interrupted run's (`run.json`).
        case resumeMismatch(path: String, differences: [String])
        /// The tokenizer produces ids the model has no embedding for.
        case vocabularyMismatch(tokenizer: String, tokenizerSize: Int, modelSize: Int)
        /// Nothing left to train on after bad rows were skipped.
        case noData(file: String, skipped: Int)

        public var description: String {
            switch self {
            case let .invalidSetting(name, value, hint):
                return "invalid --\(name) '\(value)': \(hint)"
            case let .outputExists(path, files):
                let shown = files.prefix(5).joined(separator: ", ") + (files.count > 5 ? ", …" : "")
                return "\(path) already holds files (\(shown)); pass --resume to continue that run, --overwrite to"
                    + " replace the files a run writes there (run.json, train_log.jsonl, checkpoint.safetensors, final/,"
                    + " best/, tensorboard/; nothing else is touched), or choose another --out"
            case let .nothingToResume(path, reason):
                return "cannot resume in \(path): \(reason)"
            case let .resumeMismatch(path, differences):
                return "cannot resume in \(path): this command differs from the run recorded in run.json ("
                    + differences.joined(separator: "; ")
                    + "); resume with the same settings and data, or start a new run with another --out"
            case let .vocabularyMismatch(tokenizer, tokenizerSize, modelSize):
                return "the tokenizer \(tokenizer) has \(tokenizerSize) ids but the model's vocabulary has \(modelSize)"
                    + " (hint: pass the model's own tokenizer with --tokenizer, or a model trained with this one)"
            case let .noData(file, skipped):
                return "\(file): no usable examples (\(skipped) skipped); check --task and --max-length"
            }
        }
    }

    public enum Generation: Equatable, Sendable, CustomStringConvertible {
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
            case let .noExamples(file):
                return "\(file): no examples to generate for"
            }
        }
    }
}
