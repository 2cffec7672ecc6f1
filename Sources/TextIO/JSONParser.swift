/// The parser behind `JSONValue.parse`; one instance per document.
struct JSONParser {
    let file: TextFile
    let bytes: [UInt8]
    var position: Int
    let end: Int
    var line: Int
    /// Offset of the first byte of `line`, for the column of an error.
    var lineStart: Int
    var depth = 0
    /// Deep enough for any dataset, shallow enough that hostile input cannot overflow the stack.
    static let maximumDepth = 256

    init(file: TextFile, range: Range<Int>, line: Int) {
        self.file = file
        self.bytes = file.bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.line = line
        self.lineStart = range.lowerBound
    }

    mutating func parseDocument() throws(TextInputError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard position == end else { throw error("unexpected text after the JSON value") }
        return value
    }

    func error(_ reason: String) -> TextInputError {
        .malformedJSON(file: file.name, line: line, column: position - lineStart + 1, reason: reason)
    }

    mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x0A:
                line += 1
                lineStart = position + 1
            case 0x20, 0x09, 0x0D: break
            default: return
            }
            position += 1
        }
    }

    mutating func parseValue() throws(TextInputError) -> JSONValue {
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

    mutating func expectLiteral(_ literal: String) throws(TextInputError) {
        for expected in literal.utf8 {
            guard position < end, bytes[position] == expected else { throw error("invalid literal") }
            position += 1
        }
    }

    mutating func enter() throws(TextInputError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
    }

    mutating func parseObject() throws(TextInputError) -> JSONValue.Kind {
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

    mutating func parseArray() throws(TextInputError) -> JSONValue.Kind {
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

    mutating func parseNumber() throws(TextInputError) -> String {
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
    mutating func parseString() throws(TextInputError) -> String {
        position += 1
        let start = position
        var out: [UInt8] = []
        while position < end {
            let b = bytes[position]
            switch b {
            case UInt8(ascii: "\""):
                position += 1
                // Escapes are ASCII and decode to whole sequences, so the raw bytes hold the first bad byte
                // where the decoded ones do; raw line breaks cannot occur in a string, so it sits on `line`.
                if let bad = UTF8Validation.firstInvalidOffset(in: bytes[start..<position - 1]) {
                    throw file.invalidUTF8(at: bad, anchor: lineStart, anchorLine: line)
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

    mutating func parseEscape(into out: inout [UInt8]) throws(TextInputError) {
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

    mutating func parseHex4() throws(TextInputError) -> UInt32 {
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
