/// Reads `vocab.json`: one flat JSON object from token string to non-negative integer id.
///
/// A small strict parser instead of `JSONSerialization`: it keeps each key as UTF-8 bytes (no `String`
/// whose `==` would treat canonically equivalent keys as one), reports the line of any defect, and
/// rejects duplicate keys, which a dictionary decoder would silently collapse.
struct VocabularyJSONReader {
    struct Entry {
        /// The key's UTF-8 bytes after JSON unescaping (the byte-level vocabulary string).
        var key: [UInt8]
        var id: Int
        var line: Int
    }

    private let bytes: [UInt8]
    private let path: String
    private var index = 0
    private var line = 1

    static func read(_ bytes: [UInt8], path: String) throws(TokenizerError) -> [Entry] {
        var reader = VocabularyJSONReader(bytes: bytes, path: path)
        return try reader.object()
    }

    private init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    private func fail(_ reason: String) -> TokenizerError { .malformedFile(path: path, line: line, reason: reason) }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x0A: line += 1
            case 0x20, 0x09, 0x0D: break
            default: return
            }
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(TokenizerError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else {
            throw fail(index < bytes.count ? "expected \(what)" : "unexpected end of file, expected \(what)")
        }
        index += 1
    }

    private mutating func object() throws(TokenizerError) -> [Entry] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // tolerate a UTF-8 byte-order mark
        try expect(UInt8(ascii: "{"), "'{' opening the vocabulary object")
        var entries: [Entry] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                try expect(UInt8(ascii: "\""), "a quoted token string")
                let keyLine = line
                let key = try stringBody()
                try expect(UInt8(ascii: ":"), "':' after a token string")
                skipWhitespace()
                entries.append(Entry(key: key, id: try integer(), line: keyLine))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of file inside the object") }
                let separator = bytes[index]
                index += 1
                if separator == UInt8(ascii: "}") { break }
                guard separator == UInt8(ascii: ",") else { throw fail("expected ',' or '}' after an id") }
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected text after the vocabulary object") }
        return entries
    }

    private mutating func integer() throws(TokenizerError) -> Int {
        var value = 0
        let start = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow, product <= Int(Int32.max) else { throw fail("token id is too large") }
            value = product + Int(bytes[index] - 0x30)
            index += 1
        }
        guard index > start else { throw fail("expected a non-negative integer token id") }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw fail("token ids must be integers")
        }
        guard value <= Int(Int32.max) else { throw fail("token id is too large") }
        return value
    }

    /// The UTF-8 bytes of a JSON string whose opening quote was consumed.
    private mutating func stringBody() throws(TokenizerError) -> [UInt8] {
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0x00..<0x20:
                throw fail("control character 0x\(String(byte, radix: 16)) inside a string")
            default:
                out.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func escape(into out: inout [UInt8]) throws(TokenizerError) {
        guard index < bytes.count else { throw fail("unterminated escape") }
        let kind = bytes[index]
        index += 1
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(kind)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw fail("high surrogate \\u\(String(scalar, radix: 16)) without its low half") }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw fail("lone low surrogate \\u\(String(scalar, radix: 16))")
            }
            guard let value = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
            out.append(contentsOf: String(value).utf8)
        default:
            throw fail("invalid escape \\\(Character(Unicode.Scalar(kind)))")
        }
    }

    private mutating func hex4() throws(TokenizerError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let digit: UInt32
            switch bytes[index] {
            case 0x30...0x39: digit = UInt32(bytes[index] - 0x30)
            case 0x41...0x46: digit = UInt32(bytes[index] - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(bytes[index] - 0x61 + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
