import Foundation
import TextIO

/// Line-oriented input and output for `lntune tokenize` and `lntune perplexity`: one example per line, by
/// TextIO's one line policy — lines end at LF and CRLF reads as LF (a `\r` before `\n` is never text, so a
/// Windows file tokenizes and scores as its LF copy), while a lone `\r`, U+2028, U+0085 and form feeds are
/// text — read as bytes and validated as UTF-8 so that no decoder silently replaces bad bytes.
public enum LineInput {
    /// The bytes of a file, or of standard input for nil or `-` (a leading byte-order mark dropped).
    public static func read(path: String?) throws(TokenizerError) -> (bytes: [UInt8], source: String) {
        guard let path, path != "-" else {
            let input = TextFile.standardInput()
            return (input.bytes, input.name)
        }
        do {
            return (try TextFile(path: path).bytes, path)
        } catch {
            throw .input(error)
        }
    }

    /// The lines as text (a final `\n` does not start another line); each must be UTF-8.
    public static func textLines(_ bytes: [UInt8], source: String) throws(TokenizerError) -> [String] {
        do {
            return try TextFile(name: source, bytes: bytes).textLines()
        } catch {
            throw .input(error)
        }
    }

    /// Lines that each hold one JSON string (`"first line\nsecond"`), so a text may contain newlines and any other
    /// character; the strings are returned decoded. A blank line is an error, not skipped, so output line k always
    /// encodes input line k; invalid UTF-8, a lone surrogate escape or any other JSON value names its line.
    public static func jsonTextLines(_ bytes: [UInt8], source: String) throws(TokenizerError) -> [String] {
        var out: [String] = []
        for (number, value) in try jsonValues(bytes, source: source) {
            guard let text = value.string else {
                throw .malformedTextLine(path: source, line: number, reason: "found \(value.typeName)")
            }
            out.append(text)
        }
        return out
    }

    /// Each line's JSON value with its line number; a blank line or invalid JSON is an error naming its line.
    private static func jsonValues(_ bytes: [UInt8], source: String) throws(TokenizerError)
        -> [(line: Int, value: JSONValue)]
    {
        var out: [(line: Int, value: JSONValue)] = []
        for line in JSONLines(TextFile(name: source, bytes: bytes), blankLines: .reject) {
            do {
                out.append((line.number, try line.value.get()))
            } catch {
                throw .input(error)
            }
        }
        return out
    }

    /// Lines that each hold a JSON array of integers (`[15496, 995]`; `[]` for an empty text). A blank line
    /// is an error, not skipped, so output line k always decodes input line k.
    public static func idLines(_ bytes: [UInt8], source: String) throws(TokenizerError) -> [[Int]] {
        var out: [[Int]] = []
        for (number, value) in try jsonValues(bytes, source: source) {
            guard let elements = value.array else {
                throw .malformedIDLine(path: source, line: number, reason: "found \(value.typeName)")
            }
            var ids: [Int] = []
            ids.reserveCapacity(elements.count)
            for (position, element) in elements.enumerated() {
                guard case .number(let text) = element.kind, let id = Int(text) else {
                    throw .malformedIDLine(path: source, line: number, reason: "element \(position) is not an integer")
                }
                ids.append(id)
            }
            out.append(ids)
        }
        return out
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
