/// Everything that can go wrong loading or running a GPT-2, each case carrying the file or tensor it is about.
public enum GPT2Error: Error, Equatable, CustomStringConvertible {
    case unsupportedConfig(file: String, key: String, value: String, hint: String)
    case invalidConfig(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedConfig(file, key, value, hint):
            return "\(file): unsupported \(key) = \(value) (\(hint))"
        case let .invalidConfig(file, reason):
            return "\(file): cannot read config: \(reason)"
        }
    }
}
