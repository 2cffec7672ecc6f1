import Foundation

/// Line-oriented input and output for `lntune tokenize`: one example per line, lines ending at `\n`
/// only (U+2028, U+0085, form feeds and a lone `\r` are text), read as bytes and validated as UTF-8 here
/// so that no decoder silently replaces bad bytes.
public enum LineInput {
    /// The bytes of a file, or of standard input for nil or `-`.
    public static func read(path: String?) throws(TokenizerError) -> (bytes: [UInt8], source: String) {
        guard let path, path != "-" else {
            return ([UInt8](FileHandle.standardInput.readDataToEndOfFile()), "<stdin>")
        }
        return (try readFile(URL(fileURLWithPath: path)), path)
    }

    /// Lines split at `\n` (a final `\n` does not start another line); each must be UTF-8.
    public static func textLines(_ bytes: [UInt8], source: String) throws(TokenizerError) -> [String] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var out: [String] = []
        out.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            guard let text = String(validating: line, as: UTF8.self) else {
                throw .invalidUTF8(path: source, line: index + 1, byteOffset: firstInvalidByte(line))
            }
            out.append(text)
        }
        return out
    }

    /// Offset (from the start of `bytes`) of the first byte that is not part of a valid UTF-8 sequence.
    static func firstInvalidByte(_ bytes: ArraySlice<UInt8>) -> Int {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return offset
            }
        }
    }

    /// Lines that each hold a JSON array of integers (`[15496, 995]`; `[]` for an empty text).
    public static func idLines(_ bytes: [UInt8], source: String) throws(TokenizerError) -> [[Int]] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var out: [[Int]] = []
        out.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            do {
                out.append(try idArray(line))
            } catch {
                throw .malformedIDLine(path: source, line: index + 1, reason: error.reason)
            }
        }
        return out
    }

    private struct IDLineError: Error { var reason: String }

    private static func idArray(_ line: ArraySlice<UInt8>) throws(IDLineError) -> [Int] {
        var i = line.startIndex
        func skipSpace() { while i < line.endIndex, [0x20, 0x09, 0x0D].contains(line[i]) { i += 1 } }
        skipSpace()
        guard i < line.endIndex, line[i] == UInt8(ascii: "[") else { throw IDLineError(reason: "missing '['") }
        i += 1
        var ids: [Int] = []
        skipSpace()
        if i < line.endIndex, line[i] == UInt8(ascii: "]") {
            i += 1
        } else {
            while true {
                skipSpace()
                let start = i
                if i < line.endIndex, line[i] == UInt8(ascii: "-") { i += 1 }
                while i < line.endIndex, (0x30...0x39).contains(line[i]) { i += 1 }
                guard let id = Int(String(decoding: line[start..<i], as: UTF8.self)) else {
                    throw IDLineError(reason: "expected an integer at byte \(start - line.startIndex)")
                }
                ids.append(id)
                skipSpace()
                guard i < line.endIndex else { throw IDLineError(reason: "missing ']'") }
                i += 1
                if line[i - 1] == UInt8(ascii: "]") { break }
                guard line[i - 1] == UInt8(ascii: ",") else {
                    throw IDLineError(reason: "expected ',' or ']' at byte \(i - 1 - line.startIndex)")
                }
            }
        }
        skipSpace()
        guard i == line.endIndex else { throw IDLineError(reason: "text after ']'") }
        return ids
    }

    /// Appends `[1,2,3]` (compact JSON) to `out`.
    public static func appendJSONArray(_ ids: [Int], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (position, id) in ids.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: String(id).utf8)
        }
        out.append(UInt8(ascii: "]"))
    }
}

extension GPT2Tokenizer {
    /// `encodeBatch` over lines `firstLine…` of `source`; a rejected special token is reported as
    /// `source:line` with its byte offset in the line.
    public func encodeLines(_ lines: [String], special: SpecialTokenPolicy, source: String, firstLine: Int)
        throws(TokenizerError) -> [[Int]]
    {
        do {
            return try encodeBatch(lines, special: special)
        } catch {
            guard case let .disallowedSpecialToken(token, text, _, byteOffset) = error else { throw error }
            throw .inInput(
                path: source, line: firstLine + (text ?? 0),
                .disallowedSpecialToken(token: token, text: nil, line: 1, byteOffset: byteOffset))
        }
    }

    /// `decode` of one input line, with errors located as `source:line`.
    public func decodeLine(_ ids: [Int], source: String, line: Int) throws(TokenizerError) -> String {
        do {
            return try decode(ids)
        } catch {
            throw .inInput(path: source, line: line, error)
        }
    }

    /// Loads a tokenizer folder (`vocab.json` + `merges.txt`) or a tiktoken rank file (`*.tiktoken`).
    public static func load(_ url: URL) throws(TokenizerError) -> GPT2Tokenizer {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if exists, !isDirectory.boolValue { return try GPT2Tokenizer(tiktokenURL: url) }
        return try GPT2Tokenizer(directory: url)
    }
}
