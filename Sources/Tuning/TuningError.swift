/// Errors of the tuning methods, optimizer and adapter files, each naming the option, file or tensor.
public enum TuningError: Error, Equatable, CustomStringConvertible {
    case invalidOption(name: String, value: String, hint: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, hint):
            return "invalid --\(name) '\(value)': \(hint)"
        }
    }
}
