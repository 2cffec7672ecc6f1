/// A JSON value (RFC 8259) that remembers the line it starts on.
///
/// Foundation's decoders report neither the line of a syntax error nor where a record sits in a large JSON
/// array, and the loaders must name both; this small recursive-descent parser over the file's bytes does.
struct JSONValue {
    enum Kind {
        case null
        case bool(Bool)
        /// The number's text as written (ids may be integers or strings; nothing here does arithmetic).
        case number(String)
        case string(String)
        case array([JSONValue])
        /// Keys map to values; a repeated key keeps the last value, as Python's `json` does.
        case object([String: JSONValue])
    }

    let kind: Kind
    /// 1-based physical line on which the value starts.
    let line: Int

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = kind { return members[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = kind { return s }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let a) = kind { return a }
        return nil
    }

    var isObject: Bool {
        if case .object = kind { return true }
        return false
    }

    /// A name for the value's type in error messages.
    var typeName: String {
        switch kind {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Parses a file whose document is a JSON array of records (DART, SAMSum).
    static func parseArray(_ file: TextFile) throws -> [JSONValue] {
        let root = try parse(file)
        guard let records = root.array else {
            throw DatasetError.badValue(
                file: file.name, line: root.line, field: "(top level)",
                reason: "expected an array, found \(root.typeName)")
        }
        return records
    }

    /// Parses one JSON document that fills `range` of `file` (surrounding whitespace allowed), starting on
    /// `line`. Errors are `.malformed` / `.invalidUTF8` naming the exact line.
    static func parse(_ file: TextFile, range: Range<Int>? = nil, line: Int = 1) throws -> JSONValue {
        var parser = JSONParser(file: file, range: range ?? 0..<file.bytes.count, line: line)
        return try parser.parseDocument()
    }
}

/// The parser behind `JSONValue.parse`; one instance per document.
private struct JSONParser {
    let file: TextFile
    let bytes: [UInt8]
    var position: Int
    let end: Int
    var line: Int
    var depth = 0
    /// Deep enough for any dataset, shallow enough that hostile input cannot overflow the stack.
    static let maximumDepth = 256

    init(file: TextFile, range: Range<Int>, line: Int) {
        self.file = file
        self.bytes = file.bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.line = line
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard position == end else { throw error("unexpected text after the JSON value") }
        return value
    }

    func error(_ reason: String) -> DatasetError {
        .malformed(file: file.name, line: line, reason: "invalid JSON: \(reason)")
    }

    mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x0A: line += 1
            case 0x20, 0x09, 0x0D: break
            default: return
            }
            position += 1
        }
    }

    mutating func parseValue() throws -> JSONValue {
        guard position < end else { throw error("unexpected end of input") }
        let startLine = line
        switch bytes[position] {
        case UInt8(ascii: "{"): return JSONValue(kind: try parseObject(), line: startLine)
        case UInt8(ascii: "["): return JSONValue(kind: try parseArray(), line: startLine)
        case UInt8(ascii: "\""): return JSONValue(kind: .string(try parseString()), line: startLine)
        case UInt8(ascii: "t"): try expectLiteral("true"); return JSONValue(kind: .bool(true), line: startLine)
        case UInt8(ascii: "f"): try expectLiteral("false"); return JSONValue(kind: .bool(false), line: startLine)
        case UInt8(ascii: "n"): try expectLiteral("null"); return JSONValue(kind: .null, line: startLine)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(kind: .number(try parseNumber()), line: startLine)
        default:
            throw error("unexpected character \(describe(bytes[position]))")
        }
    }

    func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    mutating func expectLiteral(_ literal: String) throws {
        for expected in literal.utf8 {
            guard position < end, bytes[position] == expected else { throw error("invalid literal") }
            position += 1
        }
    }

    mutating func enter() throws {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
    }

    mutating func parseObject() throws -> JSONValue.Kind {
        try enter()
        defer { depth -= 1 }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key string") }
            let key = try parseString()
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
            position += 1
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            guard position < end else { throw error("unexpected end of input in an object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw error("expected ',' or '}' in an object") }
            position += 1
            return .object(members)
        }
    }

    mutating func parseArray() throws -> JSONValue.Kind {
        try enter()
        defer { depth -= 1 }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard position < end else { throw error("unexpected end of input in an array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw error("expected ',' or ']' in an array") }
            position += 1
            return .array(elements)
        }
    }

    mutating func parseNumber() throws -> String {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        func digits(_ p: inout Int) -> Int {
            let s = p
            while p < end, bytes[p] >= UInt8(ascii: "0"), bytes[p] <= UInt8(ascii: "9") { p += 1 }
            return p - s
        }
        guard digits(&position) > 0 else { throw error("invalid number") }
        if position < end, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits(&position) > 0 else { throw error("invalid number") }
        }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits(&position) > 0 else { throw error("invalid number") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// A string literal; raw bytes are copied (and their UTF-8 checked), escapes decoded.
    mutating func parseString() throws -> String {
        position += 1
        var out: [UInt8] = []
        while position < end {
            let b = bytes[position]
            switch b {
            case UInt8(ascii: "\""):
                position += 1
                // Raw line breaks cannot occur inside a JSON string, so the string sits on `line`.
                if UTF8Validation.firstInvalidOffset(in: out[...]) != nil {
                    throw DatasetError.invalidUTF8(file: file.name, line: line)
                }
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0x00..<0x20:
                throw error("control character \(describe(b)) inside a string (must be escaped)")
            default:
                out.append(b)
                position += 1
            }
        }
        throw error("unterminated string")
    }

    static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    mutating func parseEscape(into out: inout [UInt8]) throws {
        guard position + 1 < end else { throw error("unterminated escape") }
        let c = bytes[position + 1]
        position += 2
        if let byte = Self.simpleEscapes[c] {
            out.append(byte)
            return
        }
        guard c == UInt8(ascii: "u") else { throw error("invalid escape \\\(describe(c))") }
        var scalar = try parseHex4()
        if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard position + 1 < end, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
            else { throw error("unpaired surrogate \\u\(String(scalar, radix: 16))") }
            position += 2
            let low = try parseHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw error("unpaired surrogate \\u\(String(scalar, radix: 16))")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid code point") }
        UTF8.encode(unicode) { out.append($0) }
    }

    mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= end else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }
}
