/// What can stop `lntune train` before or during a run, beyond the errors of the modules it drives (a bad
/// data row is a `DatasetError`, a bad checkpoint a `TuningError`, …, each already naming its file).
public enum TrainerError: Error, Equatable, CustomStringConvertible {
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
    /// A file of the run could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidSetting(name, value, hint):
            return "invalid --\(name) '\(value)': \(hint)"
        case let .outputExists(path, files):
            let shown = files.prefix(5).joined(separator: ", ") + (files.count > 5 ? ", …" : "")
            return "\(path) already holds files (\(shown)); pass --resume to continue that run, --overwrite to"
                + " replace the files a run writes there (run.json, train_log.jsonl, checkpoint.safetensors, final/,"
                + " best/; nothing else is touched), or choose another --out"
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
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}
