/// What can stop a benchmark before it measures anything, each case naming the input it is about.
public enum BenchmarkError: Error, Equatable, CustomStringConvertible {
    /// A size, count or name a benchmark cannot run with (`argument` is the flag's name, e.g. `--seq-len`).
    case invalidArgument(argument: String, value: String, reason: String)
    /// An input file that is not what the benchmark reads.
    case unreadableInput(file: String, reason: String)
    /// A model folder without the single weights file the load benchmark times.
    case missingWeights(folder: String, hint: String)
    /// A library the benchmark compares cannot run here (`what` says which and for what).
    case unavailable(String)

    public var description: String {
        switch self {
        case let .invalidArgument(argument, value, reason): "\(argument) \(value): \(reason)"
        case let .unreadableInput(file, reason): "\(file): \(reason)"
        case let .missingWeights(folder, hint): "\(folder): no model.safetensors (\(hint))"
        case let .unavailable(what): what
        }
    }

    /// Throws `invalidArgument` unless `value >= minimum`: the sizes and counts every benchmark takes.
    static func require(_ argument: String, _ value: Int, atLeast minimum: Int) throws(BenchmarkError) {
        guard value >= minimum else {
            throw .invalidArgument(argument: argument, value: String(value), reason: "must be at least \(minimum)")
        }
    }
}
