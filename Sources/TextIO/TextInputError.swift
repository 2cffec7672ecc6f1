/// Everything that can go wrong reading a text input: the file itself, its bytes, or its CSV / JSON syntax.
///
/// Each case names the file as the user gave it and the 1-based physical line (the line a text editor
/// shows: every LF starts one, so a CSV record with an embedded newline spans several); the byte-level
/// cases also give the 1-based byte column within that line. Modules that read text report these inside
/// their own error enum (`case input(TextInputError)`, see `TextInputReporting`).
public enum TextInputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read at all (missing, a folder, no permission).
    case unreadable(file: String, reason: String)
    /// Bytes that are not UTF-8 (RFC 3629): `byte` is the first byte that does not start a well-formed
    /// sequence, at `column` of `line`.
    case invalidUTF8(file: String, line: Int, column: Int, byte: UInt8)
    /// Broken RFC 4180 quoting, at the physical line of the problem.
    case malformedCSV(file: String, line: Int, reason: String)
    /// Text that is not one JSON value (RFC 8259), or a blank line where a JSON Lines reader needs a value.
    case malformedJSON(file: String, line: Int, column: Int, reason: String)

    /// The file the problem is in.
    public var file: String {
        switch self {
        case let .unreadable(file, _), let .invalidUTF8(file, _, _, _), let .malformedCSV(file, _, _),
            let .malformedJSON(file, _, _, _):
            return file
        }
    }

    /// The 1-based line of the problem; nil when the file could not be read.
    public var line: Int? {
        switch self {
        case .unreadable: return nil
        case let .invalidUTF8(_, line, _, _), let .malformedCSV(_, line, _), let .malformedJSON(_, line, _, _):
            return line
        }
    }

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read (\(reason))"
        case let .invalidUTF8(file, line, column, byte):
            let hex = String(byte, radix: 16, uppercase: true)
            return "\(file):\(line):\(column): invalid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex)); "
                + "re-encode the file as UTF-8"
        case let .malformedCSV(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .malformedJSON(file, line, column, reason):
            return "\(file):\(line):\(column): invalid JSON: \(reason)"
        }
    }
}

/// A module error enum that carries `TextInputError`s as one case, `input(_:)`, so that a reader's problem
/// reaches the user with its file, line and column unchanged.
public protocol TextInputReporting: Error {
    static func input(_ error: TextInputError) -> Self
}

extension TextInputReporting {
    /// Runs `body`; a `TextInputError` it throws is rethrown as `Self.input`, any other error unchanged.
    public static func reportingInput<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TextInputError {
            throw Self.input(error)
        }
    }
}
