import Foundation
import TestSupport
import Testing

/// No command writes over what it reads: an output naming an input — by the same path, another spelling, a
/// symbolic or a hard link, even with `--overwrite` — and standard output redirected into an input are usage
/// errors (status 64) found before any work, and the input is left byte for byte as it was.
@Suite(needsLNTune)
struct SameFileTests {
    static let model = Fixtures.url("generate-prefix/tiny-bpe-gpt2").path
    static let tokenizer = Fixtures.url("tiny-bpe").path

    @Test func generateRefusesAnOutputThatIsAnInput() throws {
        let executable = try #require(lntuneExecutable())
        let folder = try TemporaryFolder()
        let input = try folder.write(GeneratePipelineTests.csv, to: "test.csv")
        let template = try folder.write("{source} <|endoftext|>{target}", to: "template.txt")
        try FileManager.default.createSymbolicLink(
            atPath: folder.url(for: "symlink.csv").path, withDestinationPath: input.path)
        try FileManager.default.linkItem(at: input, to: folder.url(for: "hardlink.csv"))
        let spellings = [
            input.path, folder.url.path + "/./test.csv", folder.url(for: "symlink.csv").path,
            folder.url(for: "hardlink.csv").path,
        ]
        let base = [
            "generate", "--model", Self.model, "--tokenizer", Self.tokenizer, "--input", input.path, "--task", "e2e",
            "--prompt-template", template.path, "--overwrite", "--max-new-tokens", "2",
        ]
        for spelling in spellings {
            for flag in ["--out", "--text"] {
                let (status, output) = try runLNTune(executable, base + [flag, spelling])
                #expect(status == 64 && output.contains("same file as --input"), "\(flag) \(spelling): \(output)")
            }
        }
        let (status, output) = try runLNTune(executable, base + ["--text", template.path])
        #expect(status == 64 && output.contains("--prompt-template"), "\(output)")
        let twice = folder.url(for: "p.jsonl").path
        let (status2, output2) = try runLNTune(executable, base + ["--out", twice, "--text", twice])
        #expect(status2 == 64 && output2.contains("same file as --out"), "\(output2)")
        #expect(try Data(contentsOf: input) == Data(GeneratePipelineTests.csv.utf8))
    }

    /// `lntune tokenize --input a.txt >> a.txt` and the like: standard output is the input.
    @Test func standardOutputRedirectedIntoAnInputIsRefused() throws {
        let executable = try #require(lntuneExecutable())
        let folder = try TemporaryFolder()
        let text = "name : Aromi\n"
        let jsonl = #"{"prediction": "a b", "references": ["a b"]}"# + "\n"
        let lines = try folder.write(text, to: "lines.txt")
        let predictions = try folder.write(jsonl, to: "p.jsonl")
        let cases: [(arguments: [String], input: URL, content: String)] = [
            (["tokenize", "--tokenizer", Self.tokenizer, "--input", lines.path], lines, text),
            (
                ["perplexity", "--model", Self.model, "--tokenizer", Self.tokenizer, "--input", lines.path], lines,
                text
            ),
            (["score", "--jsonl", predictions.path], predictions, jsonl),
        ]
        for (arguments, input, content) in cases {
            let (status, output) = try Self.run(executable, arguments, appendingStandardOutputTo: input)
            #expect(status == 64 && output.contains("standard output is the same file as"), "\(arguments): \(output)")
            #expect(try String(contentsOf: input, encoding: .utf8) == content)
        }
    }

    /// Runs `lntune` with standard output appended to `file` (as `>> file` does); returns status and stderr.
    static func run(_ executable: URL, _ arguments: [String], appendingStandardOutputTo file: URL) throws -> (
        Int32, String
    ) {
        let output = try FileHandle(forWritingTo: file)
        defer { try? output.close() }
        try output.seekToEnd()
        let errors = Pipe()
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
