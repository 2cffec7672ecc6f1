import Foundation
import TestSupport
import Testing

/// The new `generate` flags, `generation_config.json`, `--revision` and `tokenize --jsonl`, as a user runs them.
@Suite(needsLNTune)
struct GenerateOptionsCLITests {
    static let model = CommandFailureTests.model
    static let tokenizer = CommandFailureTests.tokenizer

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        try runLNTune(try #require(lntuneExecutable()), arguments, environment: environment)
    }

    static func generate(_ model: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (
        Int32, String
    ) {
        try run(
            ["generate", "--model", model, "--tokenizer", tokenizer, "--prompt", "name : Aromi", "--json"] + arguments,
            environment: environment)
    }

    /// The JSON records of a run (stderr lines are not JSON).
    static func records(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") }
    }

    /// A generation_config.json in the model folder gives the same output as the same settings as flags, and
    /// the run says which defaults came from the file; a flag overrides the file.
    @Test func configFileEqualsFlags() throws {
        let folder = try TemporaryFolder()
        let copy = try folder.copy(fixture: "generate-prefix/tiny-bpe-gpt2")
        try folder.write(
            #"{"num_beams": 3, "num_return_sequences": 2, "max_new_tokens": 5, "eos_token_id": [0, 5], "min_length": 7}"#,
            to: copy.lastPathComponent + "/generation_config.json")
        let flags = [
            "--num-beams", "3", "--num-return-sequences", "2", "--max-new-tokens", "5", "--eos-token-id", "0",
            "--eos-token-id", "5", "--min-length", "7",
        ]
        let (status, output) = try Self.generate(copy.path, [])
        #expect(status == 0, "\(output)")
        #expect(output.contains("defaults from") && output.contains("generation_config.json"), "\(output)")
        let (flagStatus, flagOutput) = try Self.generate(Self.model, flags)
        #expect(flagStatus == 0, "\(flagOutput)")
        #expect(Self.records(output) == Self.records(flagOutput) && Self.records(output).count == 2)
        let (_, overridden) = try Self.generate(copy.path, ["--num-return-sequences", "1"])
        #expect(Self.records(overridden).count == 1, "\(overridden)")
        let (_, ignored) = try Self.generate(copy.path, ["--no-generation-config"])
        #expect(Self.records(ignored).count == 1 && !ignored.contains("defaults from"), "\(ignored)")
        try folder.write(#"{"guidance_scale": 1.5}"#, to: copy.lastPathComponent + "/generation_config.json")
        let (badStatus, bad) = try Self.generate(copy.path, [])
        #expect(badStatus == 1 && bad.contains("generation_config.json: key guidance_scale"), "\(bad)")
    }

    /// Every new decoding flag runs end to end, beam sampling included.
    @Test(arguments: [
        ["--decode", "sample", "--typical-p", "0.9", "--epsilon-cutoff", "0.001", "--eta-cutoff", "0.002"],
        ["--decode", "sample", "--num-beams", "3", "--min-tokens-to-keep", "4", "--seed", "3"],
        ["--sequence-bias", "[[[5], -2.0], [[7, 8], 1.5]]", "--forced-eos-token-id", "0"],
        ["--forced-bos-token-id", "4", "--decode", "beam", "--num-beams", "2"],
    ])
    func newFlagsRun(arguments: [String]) throws {
        let (status, output) = try Self.generate(Self.model, ["--max-new-tokens", "4"] + arguments)
        #expect(status == 0 && !Self.records(output).isEmpty, "\(output)")
    }

    /// A malformed --sequence-bias is a usage error that shows the expected form.
    @Test(arguments: ["[[5, 1.0]]", "[[[], 1.0]]", "[]", "no-such-file.json"])
    func badSequenceBiasIsUsage(value: String) throws {
        let (status, output) = try Self.generate(Self.model, ["--sequence-bias", value])
        #expect(status == 64 && output.contains("--sequence-bias"), "\(output)")
    }

    /// `--model ORG/NAME --revision R` finds the snapshot in the cache; a missing revision lists the available ones.
    @Test func revisionFlag() throws {
        let cache = try TemporaryFolder()
        let commit = "3333333333333333333333333333333333333333"
        let snapshot = cache.url(for: "models--org--tiny/snapshots/\(commit)")
        try FileManager.default.createDirectory(
            at: snapshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.model), to: snapshot)
        try cache.write(commit, to: "models--org--tiny/refs/v1")
        let environment = ["HF_HUB_CACHE": cache.url.path]
        for revision in ["v1", commit] {
            let (status, output) = try Self.generate(
                "org/tiny", ["--revision", revision, "--max-new-tokens", "2"], environment: environment)
            #expect(status == 0, "\(output)")
        }
        let (status, output) = try Self.generate(
            "org/tiny", ["--revision", "v2", "--max-new-tokens", "2"], environment: environment)
        #expect(status == 1 && output.contains("available: \(commit), v1"), "\(output)")
        let (folderStatus, folderOutput) = try Self.generate(Self.model, ["--revision", "v1"])
        #expect(folderStatus == 64 && folderOutput.contains("--revision"), "\(folderOutput)")
    }

    /// `tokenize --jsonl` prints the ids HF tokenizers gives each JSON string (texts with newlines, CR, U+2028,
    /// escapes; Tests/Fixtures/tokenizer/jsonl, eval/reference/make_tokenize_jsonl_fixture.py).
    @Test func tokenizeJSONLMatchesTokenizers() throws {
        let input = Fixtures.url("tokenizer/jsonl/input.jsonl").path
        let expected = try String(contentsOf: Fixtures.url("tokenizer/jsonl/expected.txt"), encoding: .utf8)
        let (status, output) = try Self.run(["tokenize", "--tokenizer", Self.tokenizer, "--jsonl", "--input", input])
        #expect(status == 0)
        #expect(output == expected)
    }

    /// Anything but one JSON string on a line is an error naming the file and line.
    @Test(arguments: [
        ("\"ok\"\n42\n", ":2:"), ("\"ok\"\n\n\"x\"\n", ":2:"), ("\"a\\ud800\"\n", ":1:"), ("[\"a\"]\n", ":1:"),
        ("\"ok\"\n\"bad \u{FF}\"\n", ":2"), ("\"unterminated\n", ":1:"),
    ])
    func tokenizeJSONLErrorsNameTheLine(text: String, location: String) throws {
        let folder = try TemporaryFolder()
        var bytes = Array(text.utf8)
        if text.contains("\u{FF}") {  // a raw invalid UTF-8 byte in place of ÿ
            bytes = Array("\"ok\"\n\"bad ".utf8) + [0xFF] + Array("\"\n".utf8)
        }
        let input = try folder.write(bytes, to: "in.jsonl").path
        let (status, output) = try Self.run(["tokenize", "--tokenizer", Self.tokenizer, "--jsonl", "--input", input])
        #expect(status != 0 && output.contains(input + location), "\(output)")
    }
}
