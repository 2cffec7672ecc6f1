/// A JSON value (RFC 8259) that remembers the line it starts on.
///
/// Foundation's decoders report neither the line of a syntax error nor where a record sits in a large JSON
/// array, and the readers must name both; this small recursive-descent parser over the file's bytes does.
public struct JSONValue: Sendable {
    public enum Kind: Sendable {
        case null
        case bool(Bool)
        /// The number's text as written (ids may be integers or strings; nothing here does arithmetic).
        case number(String)
        case string(String)
        case array([JSONValue])
        /// Keys map to values; a repeated key keeps the last value, as Python's `json` does.
        case object([String: JSONValue])
    }

    public let kind: Kind
    /// 1-based physical line on which the value starts.
    public let line: Int

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = kind { return members[key] }
        return nil
    }

    public var string: String? {
        if case .string(let s) = kind { return s }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let a) = kind { return a }
        return nil
    }

    public var isObject: Bool {
        if case .object = kind { return true }
        return false
    }

    /// A name for the value's type in error messages.
    public var typeName: String {
        switch kind {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Parses one JSON document that fills `range` of `file` (surrounding whitespace allowed); `line` is the
    /// line on which `range` starts. Errors name the exact line and column.
    public static func parse(_ file: TextFile, range: Range<Int>? = nil, line: Int = 1) throws(TextInputError)
        -> JSONValue
    {
        var parser = JSONParser(file: file, range: range ?? 0..<file.bytes.count, line: line)
        return try parser.parseDocument()
    }
}
