import ArgumentParser
import Foundation
import LNTune

/// `lntune tokenize`: text lines → JSON arrays of GPT-2 token ids, or back with `--decode`.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Encode text lines to token ids (one JSON array per line), or decode them back.",
        discussion: """
            Lines end at \\n, and CRLF reads as LF; U+2028, U+0085, form feeds and a lone \\r are part of the text. \
            Input must be UTF-8. Errors name the file and line and exit non-zero.
            """)

    @Option(help: .tokenizer) var tokenizer: String

    @Option(help: "Input file (UTF-8; CRLF reads as LF); '-' or omitted reads standard input.")
    var input: String?

    @Option(help: "<|endoftext|> in the text: allow (its id), text (plain text) or reject (an error).")
    var special: SpecialTokenPolicy = .allow

    @Flag(help: "Read JSON arrays of ids and write the decoded text, one line each.")
    var decode = false

    /// Lines encoded per batch: big enough to keep both cores busy, small enough to stream output.
    private static let batchLines = 4096

    func validate() throws {
        try PathFlags.refuseEmpty([("--tokenizer", tokenizer), ("--input", input)])
        try CommandFailure.usage {
            try SameFileCheck.check(
                outputs: [], inputs: [.init("--tokenizer", tokenizer)] + (input.map { [.init("--input", $0)] } ?? []),
                standardOutput: true)
        }
    }

    func run() throws {
        let tokenizer = try ModelLoader.loadTokenizer(URL(fileURLWithPath: self.tokenizer))
        let (bytes, source) = try LineInput.read(path: input)
        var output = OutputBuffer()
        if decode {
            for (index, ids) in try LineInput.idLines(bytes, source: source).enumerated() {
                output.append(try tokenizer.decodeLine(ids, source: source, line: index + 1))
                output.append("\n")
            }
        } else {
            let lines = try LineInput.textLines(bytes, source: source)
            for start in stride(from: 0, to: lines.count, by: Self.batchLines) {
                let batch = Array(lines[start..<min(start + Self.batchLines, lines.count)])
                let encoded = try tokenizer.encodeLines(batch, special: special, source: source, firstLine: start + 1)
                for ids in encoded {
                    LineInput.appendJSONArray(ids, to: &output.bytes)
                    output.append("\n")
                }
            }
        }
        output.flush()
    }
}

/// Buffers standard output and writes it in large blocks.
struct OutputBuffer {
    var bytes: [UInt8] = []

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count > 1 << 20 { flush() }
    }

    mutating func flush() {
        FileHandle.standardOutput.write(Data(bytes))
        bytes.removeAll(keepingCapacity: true)
    }
}
