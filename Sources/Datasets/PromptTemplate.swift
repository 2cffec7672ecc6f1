import Foundation
import TextIO

/// How an example becomes the text a model reads: a plain-text template with `{source}` and `{target}`.
///
/// Template syntax (the files in `prompts/` follow it; a template is data, never code):
/// - Lines starting with `#` are comments. The other lines, joined by `\n`, are the template; empty lines
///   before the first and after the last template line are dropped, and a CR before an LF is ignored.
/// - `{source}` and `{target}` appear exactly once each, `{source}` first. `{{` and `}}` are literal braces;
///   any other `{…}` or a lone brace is an error, so a typo cannot pass silently as text.
/// - `<|endoftext|>` written literally is GPT-2's special token; any other `<|…|>` is an error. Text that
///   comes from the data is always encoded as plain text, so a dataset containing the string
///   `<|endoftext|>` cannot inject the token.
/// - The text after `{target}` must contain `<|endoftext|>`, so the model learns where to stop.
///
/// The prompt/target boundary (where the loss mask starts) lies just before `{target}`, except that spaces
/// directly before `{target}` belong to the target: GPT-2's pre-tokenizer attaches one space to the next
/// word (` Summary` is one token), so the target ` The cat` must be encoded with its leading space.
/// Encoding the prompt and the target separately then gives exactly the tokens of the joined text provided
/// the boundary is also a pre-token boundary, which holds when the prompt ends with `<|endoftext|>`
/// (special tokens split the text before pre-tokenization) or with a non-space character followed by the
/// target's space (no GPT-2 pre-token spans a non-space/space pair: letters, digits and punctuation runs
/// stop at whitespace, and whitespace runs start at it). Templates that violate this, such as
/// `Summary:{target}` or `Summary:\n{target}`, are rejected rather than encoded subtly differently from
/// the joined text.
public struct PromptTemplate: Sendable, Equatable {
    /// A piece of rendered text: plain text (encoded without special tokens) or a special token.
    public enum Segment: Sendable, Equatable {
        case text(String)
        case special(String)
    }

    /// The only special token a template may contain.
    public static let endOfText = "<|endoftext|>"

    /// Where the template came from, for error messages (`prompts/e2e.txt`).
    public let file: String
    let beforeSource: [Segment]
    let afterSource: [Segment]
    let beforeTarget: [Segment]
    let afterTarget: [Segment]

    /// Loads and validates a template file.
    public init(contentsOf url: URL) throws {
        let text = try DatasetError.reportingInput { try TextFile(url: url).text() }
        try self.init(text: text, file: url.path)
    }

    /// Parses and validates template text; `file` names it in errors.
    public init(text: String, file: String) throws {
        self.file = file
        let pieces = try TemplateScanner(file: file).scan(text)
        func error(_ line: Int, _ reason: String) -> DatasetError {
            .invalidTemplate(file: file, line: line, reason: reason)
        }
        let lastLine = pieces.last?.line ?? 1
        let sources = pieces.indices.filter { pieces[$0].kind == .source }
        let targets = pieces.indices.filter { pieces[$0].kind == .target }
        guard let s = sources.first else { throw error(lastLine, "no {source} placeholder") }
        guard let t = targets.first else { throw error(lastLine, "no {target} placeholder") }
        guard sources.count == 1 else { throw error(pieces[sources[1]].line, "{source} appears more than once") }
        guard targets.count == 1 else { throw error(pieces[targets[1]].line, "{target} appears more than once") }
        guard s < t else {
            throw error(pieces[t].line, "{target} comes before {source}; the prompt must precede the target")
        }
        let segments = { (range: Range<Int>) in pieces[range].compactMap(\.segment) }
        var middle = segments(s + 1..<t)
        var movedSpaces = ""
        if case .text(let text)? = middle.last {
            let kept = text.reversed().drop(while: { $0 == " " })
            movedSpaces = String(repeating: " ", count: text.count - kept.count)
            middle.removeLast()
            if !kept.isEmpty { middle.append(.text(String(kept.reversed()))) }
        }
        switch middle.last {
        case .special?:
            break
        case .text(let text)? where !movedSpaces.isEmpty && !(text.last?.isWhitespace ?? true):
            break
        default:
            throw error(
                pieces[t].line,
                "the prompt must end with <|endoftext|> or with a non-space character followed by a space before "
                    + "{target} (e.g. 'Summary: {target}'), so that prompt and target tokenize as the joined text does")
        }
        beforeSource = segments(0..<s)
        afterSource = middle
        beforeTarget = movedSpaces.isEmpty ? [] : [.text(movedSpaces)]
        afterTarget = segments(t + 1..<pieces.count)
        guard afterTarget.contains(.special(Self.endOfText)) else {
            throw error(pieces[t].line, "no <|endoftext|> after {target}; the model would never learn to stop")
        }
    }

    /// The prompt for `source`: everything the model reads before it starts producing the target.
    public func prompt(source: String) -> [Segment] {
        Self.merged(beforeSource + [.text(source)] + afterSource)
    }

    /// The target part for `target`: what the loss is computed on, ending with `<|endoftext|>`.
    public func target(_ target: String) -> [Segment] {
        Self.merged(beforeTarget + [.text(target)] + afterTarget)
    }

    /// The whole training text as one string (for display and logs; encoding uses the segments).
    public func text(source: String, target: String) -> String {
        (prompt(source: source) + self.target(target)).map {
            switch $0 {
            case .text(let t), .special(let t): return t
            }
        }.joined()
    }

    /// Joins adjacent text segments and drops empty ones, so data text and the template's own text around
    /// it are encoded together, as they would be in the joined string.
    static func merged(_ segments: [Segment]) -> [Segment] {
        var result: [Segment] = []
        for segment in segments {
            switch (segment, result.last) {
            case (.text(let t), _) where t.isEmpty:
                continue
            case (.text(let t), .text(let previous)?):
                result[result.count - 1] = .text(previous + t)
            default:
                result.append(segment)
            }
        }
        return result
    }
}

/// Splits template text into literal text, special tokens and placeholders, with line numbers.
private struct TemplateScanner {
    enum Kind: Equatable {
        case text(String)
        case special
        case source
        case target
    }

    struct Piece {
        let kind: Kind
        let line: Int
        var segment: PromptTemplate.Segment? {
            switch kind {
            case .text(let t): return .text(t)
            case .special: return .special(PromptTemplate.endOfText)
            case .source, .target: return nil
            }
        }
    }

    let file: String

    func scan(_ text: String) throws -> [Piece] {
        // Keep (line number, content) of template lines, dropping comments and outer empty lines.
        var lines: [(Int, Substring)] = []
        // Swift treats CRLF as one Character, so both line ends are separators here.
        let split = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, line) in split.enumerated() {
            if line.first == "#" { continue }
            lines.append((index + 1, line))
        }
        while lines.first?.1.isEmpty == true { lines.removeFirst() }
        while lines.last?.1.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else {
            throw DatasetError.invalidTemplate(file: file, line: 1, reason: "the template is empty")
        }

        var pieces: [Piece] = []
        var literal = ""
        var literalLine = lines[0].0
        func flush() {
            if !literal.isEmpty { pieces.append(Piece(kind: .text(literal), line: literalLine)) }
            literal = ""
        }
        for (k, (number, line)) in lines.enumerated() {
            if literal.isEmpty { literalLine = number }
            if k > 0 { literal += "\n" }
            var rest = line[...]
            while let c = rest.first {
                if rest.hasPrefix("{{") || rest.hasPrefix("}}") {
                    literal.append(c)
                    rest = rest.dropFirst(2)
                } else if c == "{" {
                    guard let close = rest.firstIndex(of: "}") else {
                        throw DatasetError.invalidTemplate(
                            file: file, line: number, reason: "'{' without '}' (write {{ for a literal brace)")
                    }
                    let name = rest[rest.index(after: rest.startIndex)..<close]
                    flush()
                    switch name {
                    case "source": pieces.append(Piece(kind: .source, line: number))
                    case "target": pieces.append(Piece(kind: .target, line: number))
                    default:
                        throw DatasetError.invalidTemplate(
                            file: file, line: number,
                            reason: "unknown placeholder {\(name)} (only {source} and {target}; {{ for a brace)")
                    }
                    rest = rest[rest.index(after: close)...]
                    literalLine = number
                } else if c == "}" {
                    throw DatasetError.invalidTemplate(
                        file: file, line: number, reason: "'}' without '{' (write }} for a literal brace)")
                } else if rest.hasPrefix("<|") {
                    guard rest.hasPrefix(PromptTemplate.endOfText) else {
                        let token = rest.prefix(while: { $0 != ">" }) + ">"
                        throw DatasetError.invalidTemplate(
                            file: file, line: number,
                            reason: "unknown special token \(token) (only <|endoftext|> is special)")
                    }
                    flush()
                    pieces.append(Piece(kind: .special, line: number))
                    rest = rest.dropFirst(PromptTemplate.endOfText.count)
                    literalLine = number
                } else {
                    literal.append(c)
                    rest = rest.dropFirst()
                }
            }
        }
        flush()
        return pieces
    }
}
