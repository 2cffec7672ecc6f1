import TextIO

/// Everything that can go wrong reading a dataset, a prompt template or turning examples into batches.
///
/// Each case names the file and the 1-based physical line (the line a text editor shows, counting every
/// LF, so a CSV record with an embedded newline spans several) and carries a hint where one helps.
public enum DatasetError: Error, Equatable, CustomStringConvertible, TextInputReporting {
    /// The text input itself: a file or folder that cannot be read, bytes that are not UTF-8, broken CSV
    /// quoting or JSON syntax (with line and column, from TextIO).
    case input(TextInputError)
    /// The file's structure is broken beyond its text syntax (XML, a `SOURCE||TARGET` line, a field count).
    case malformed(file: String, line: Int, reason: String)
    /// The header row is not the one the format requires.
    case wrongHeader(file: String, line: Int, found: String, expected: String)
    /// A record lacks a field the format requires.
    case missingField(file: String, line: Int, field: String)
    /// A required text field is empty or only whitespace (an empty target teaches the model nothing).
    case emptyField(file: String, line: Int, field: String)
    /// A field is present but its value cannot be used (wrong JSON type, an MR that is not `slot[value]`).
    case badValue(file: String, line: Int, field: String, reason: String)
    /// A prompt template breaks the template rules (see `PromptTemplate`).
    case invalidTemplate(file: String, line: Int, reason: String)
    /// An encoded example does not fit the maximum length and the task's policy forbids truncating it.
    case tooLong(example: String, tokens: Int, maxLength: Int, hint: String)
    /// The tokenizer does not map a template's special token to exactly one id.
    case unknownSpecialToken(token: String, ids: [Int])
    /// A setting that cannot work (batch size 0, an unknown task name, …).
    case invalidSetting(name: String, value: String, hint: String)

    /// Whether `OnBadRow.skip` may skip this kind of problem. Loaders route only record-level problems
    /// through the policy — those after which the next record can still be found (a bad CSV row, a bad
    /// JSON Lines line, a bad entry of a well-formed JSON or XML file). Broken file structure (an
    /// unterminated quote, invalid JSON in a JSON array, broken XML) is thrown directly under either policy,
    /// even though it uses the same `.malformed` / `.input` cases; the kinds listed `false` here (and an
    /// unreadable file) are never skippable wherever they arise.
    public var isRowProblem: Bool {
        switch self {
        case .input(.unreadable): return false
        case .missingField, .emptyField, .badValue, .tooLong, .input, .malformed: return true
        case .wrongHeader, .invalidTemplate, .unknownSpecialToken, .invalidSetting: return false
        }
    }

    public var description: String {
        switch self {
        case let .input(problem):
            return problem.description
        case let .malformed(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .wrongHeader(file, line, found, expected):
            return "\(file):\(line): header is \(found.debugDescription), expected \(expected)"
        case let .missingField(file, line, field):
            return "\(file):\(line): missing field '\(field)'"
        case let .emptyField(file, line, field):
            return "\(file):\(line): field '\(field)' is empty (use --on-bad-row skip to leave such rows out)"
        case let .badValue(file, line, field, reason):
            return "\(file):\(line): field '\(field)': \(reason)"
        case let .invalidTemplate(file, line, reason):
            return "\(file):\(line): invalid prompt template: \(reason)"
        case let .tooLong(example, tokens, maxLength, hint):
            return "example \(example): \(tokens) tokens exceed the maximum length \(maxLength) (\(hint))"
        case let .unknownSpecialToken(token, ids):
            return "the tokenizer encodes the special token \(token) as \(ids), expected exactly one id"
        case let .invalidSetting(name, value, hint):
            return "invalid \(name) = \(value) (\(hint))"
        }
    }
}

/// What a loader does with a bad row: stop with the error (the default, so nothing is dropped unnoticed) or
/// leave the row out and report it in `LoadedDataset.skipped`.
public enum OnBadRow: String, Sendable, CaseIterable {
    case fail
    case skip
}

/// Applies an `OnBadRow` policy while a loader walks a file, collecting the skipped problems.
struct BadRowLog {
    let policy: OnBadRow
    private(set) var skipped: [DatasetError] = []

    init(_ policy: OnBadRow) { self.policy = policy }

    /// Throws `error` unless the policy is `.skip` and the error is a row problem, in which case it is recorded.
    mutating func record(_ error: DatasetError) throws {
        guard policy == .skip, error.isRowProblem else { throw error }
        skipped.append(error)
    }

    /// Runs `body`; a row problem it throws (a `DatasetError`, or a `TextInputError` of the row's text) is
    /// recorded (under `.skip`) and `nil` is returned.
    mutating func attempt<T>(_ body: () throws -> T) throws -> T? {
        do {
            return try body()
        } catch let error as DatasetError {
            try record(error)
        } catch let error as TextInputError {
            try record(.input(error))
        }
        return nil
    }
}
