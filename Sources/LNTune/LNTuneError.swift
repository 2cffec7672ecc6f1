import GPT2
import TextIO
import Tokenizers
import Tuning

/// Everything the LNTune pipelines refuse or fail at, one enum for the module: each case names the file, line
/// or value and says what to do. Errors of the component modules that a pipeline only passes through
/// (a bad data row is a `DatasetError`, a bad decoding setting a `GenerationError`) keep their own type.
///
/// The cases of one command are grouped (`.hub`, `.training`, `.generation`) because the same words mean
/// different things per command: an output that exists is a run folder with files to `train` but one file to
/// `generate`. What every command shares — a tokenizer, adapter or prefix that does not fit the model — is one
/// group, `.loading`, raised by the one loader.
public enum LNTuneError: Error, Equatable, CustomStringConvertible {
    /// A component's own typed error, passed through by the loader and the pipelines; its message names the file.
    case model(GPT2Error)
    case tuning(TuningError)
    case tokenizer(TokenizerError)
    /// A tokenizer, adapter or prefix that does not fit the model (`ModelLoader`, for every pipeline).
    case loading(Loading)
    /// A text line that does not fit the model's context (never truncated silently).
    case lineTooLong(file: String, line: Int, tokens: Int, limit: Int, hint: String)
    /// A local file or folder could not be read or written.
    case io(path: String, reason: String)
    /// An output that is one of the inputs (`output` and `input` name the flags and paths, or standard output):
    /// writing it would destroy what is being read.
    case sameFile(output: String, input: String)
    /// The run would need more memory than the machine has left (`parts` lists the big buffers).
    case notEnoughMemory(what: String, needed: Int, available: Int, parts: String, hint: String)
    /// An input with nothing a command can work on (`lntune perplexity` on an empty or blank-only file).
    case nothingToScore(file: String, reason: String)
    /// The model gives a loss that is not a number or infinite (broken weights or adapter).
    case nonFiniteLoss(file: String, line: Int)
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
        case let .loading(failure): return failure.description
        case let .lineTooLong(file, line, tokens, limit, hint):
            return
                "\(file):\(line): \(tokens) positions, but only \(limit) fit in the model's context (n_positions); \(hint)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .sameFile(output, input):
            return "\(output) is the same file as \(input); writing one would destroy the other: choose another output"
        case let .notEnoughMemory(what, needed, available, parts, hint):
            return "\(what) needs about \(NumberText.bytes(needed)) (\(parts)) but only \(NumberText.bytes(available)) "
                + "of memory is available; \(hint)"
        case let .nothingToScore(file, reason):
            return "\(file): nothing to score: \(reason)"
        case let .nonFiniteLoss(file, line):
            return "\(file):\(line): the model's loss on this line is not a finite number; the model or adapter "
                + "weights are broken (NaN or infinite values): check them, or retrain the adapter"
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
        /// Nothing to train on: no examples, or all of them skipped (bad rows, too long) or filtered by the
        /// format's rules (WebNLG entries with only `toFix` texts).
        case noData(file: String, skipped: Int, filtered: Int)
        /// Examples without any reference (an inputs-only file): nothing to train or evaluate on.
        case noReferences(file: String, examples: Int, of: Int, first: String)
        /// Another `lntune train` holds the run folder's lock.
        case runInProgress(path: String, holder: String)
        /// A loss, gradient norm or value became NaN or infinite at `step`. `kept` says what of the run is
        /// intact (nothing is saved from the diverged state), `hint` what to change.
        case diverged(step: Int, quantity: String, value: Double, kept: String, hint: String)
        /// The run stopped with an error after `step` steps; `recovery` says what was saved and how to go on.
        case runFailed(step: Int, error: String, recovery: String)

        public var description: String {
            switch self {
            case let .invalidSetting(name, value, hint):
                return "invalid --\(name) '\(value)': \(hint)"
            case let .outputExists(path, files):
                let shown = files.prefix(5).joined(separator: ", ") + (files.count > 5 ? ", …" : "")
                // Only a checkpoint makes a run resumable; suggesting --resume without one sends the user into
                // a second error.
                let resume =
                    files.contains("checkpoint.safetensors")
                    ? "pass --resume to continue the interrupted run there, "
                    : "there is no checkpoint.safetensors, so nothing to --resume; pass "
                return "\(path) already holds files (\(shown)); \(resume)--overwrite to"
                    + " replace the files a run writes there (run.json, train_log.jsonl, checkpoint.safetensors, final/,"
                    + " best/, tensorboard/; nothing else is touched), or choose another --out"
            case let .nothingToResume(path, reason):
                return "cannot resume in \(path): \(reason)"
            case let .resumeMismatch(path, differences):
                return "cannot resume in \(path): this command differs from the run recorded in run.json ("
                    + differences.joined(separator: "; ")
                    + "); resume with the same settings and data, or start a new run with another --out"
            case let .noData(file, skipped, filtered):
                if skipped == 0 && filtered == 0 {
                    return "\(file): no examples at all (an empty file, or one of another format than --task?)"
                }
                var why: [String] = []
                if skipped > 0 {
                    why.append("\(skipped) skipped as bad rows or too long: check --task and --max-length")
                }
                if filtered > 0 {
                    why.append("\(filtered) left out by the format's rules (WebNLG's toFix-only entries)")
                }
                return "\(file): no usable examples (" + why.joined(separator: "; ") + ")"
            case let .noReferences(file, examples, total, first):
                return "\(file): \(examples) of \(total) examples have no reference text (the first at \(first)):"
                    + " training and dev files need targets; is this an inputs-only file such as E2E's"
                    + " testset.csv?"
            case let .runInProgress(path, holder):
                return "\(path) is in use by another lntune train (\(holder)); wait for it to finish, or choose"
                    + " another --out (two runs in one folder would mix their files)"
            case let .diverged(step, quantity, value, kept, hint):
                let when = step == 0 ? "before the first step" : "at step \(step)"
                return "training diverged \(when): the \(quantity) is \(value). Nothing was saved from the"
                    + " diverged state (no NaN adapter); \(kept). \(hint)"
            case let .runFailed(step, error, recovery):
                return "training stopped after step \(step): \(error). \(recovery)"
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
        /// An output file is there already.
        case outputExists(path: String)
        /// The data file has no example to generate for.
        case noExamples(file: String)
        /// The predictions of an interrupted run are there, and neither `--resume` nor `--overwrite` was given.
        case journalExists(path: String)
        /// `--resume` without the predictions of an interrupted run to continue.
        case nothingToResume(path: String)
        /// `--resume` with settings that differ from the interrupted run's.
        case resumeMismatch(path: String, differences: [String])
        /// A line of the interrupted run's predictions that cannot be read or does not belong to the input.
        case badJournal(path: String, line: Int, reason: String)

        public var description: String {
            switch self {
            case let .invalidSetting(name, value, hint):
                return "invalid --\(name) \(value) (\(hint))"
            case let .emptyPrompt(source):
                return "\(source): the prompt is empty (give at least one character of text to continue)"
            case let .promptTooLong(source, tokens, available, maxNewTokens):
                return
                    "\(source): the prompt has \(NumberText.count(tokens, "token")) but only \(NumberText.grouped(available)) fit in the model's context "
                    + "with --max-new-tokens \(maxNewTokens) (shorten the prompt or lower --max-new-tokens)"
            case let .outputExists(path):
                return "\(path) exists; pass --overwrite to replace it, or choose another file"
            case let .noExamples(file):
                return "\(file): no examples to generate for"
            case let .journalExists(path):
                return "\(path) holds the predictions of an interrupted run; pass --resume to continue it, or "
                    + "--overwrite to start over"
            case let .nothingToResume(path):
                return
                    "--resume: \(path) does not exist, so there is no interrupted run to continue; run without --resume"
            case let .resumeMismatch(path, differences):
                return "--resume: this command differs from the interrupted run in \(path) ("
                    + differences.joined(separator: "; ") + "); resume with the same settings, or pass --overwrite "
                    + "instead of --resume to start over"
            case let .badJournal(path, line, reason):
                return "\(path):\(line): \(reason); the file is not the predictions of an interrupted run of this "
                    + "command: pass --overwrite instead of --resume to start over"
            }
        }
    }
}
