import Foundation
import TestSupport
import Testing

/// What a user sees when a command cannot do its work: one message naming the file or flag, saying what is
/// wrong and what to do — never Foundation's or a library's internal text — and the exit status of its kind
/// (64 for how the command was called, also when found after the model is loaded; 1 for what it ran into).
@Suite(needsLNTune)
struct CommandFailureTests {
    static let model = Fixtures.url("generate-prefix/tiny-bpe-gpt2").path
    static let tokenizer = Fixtures.url("tiny-bpe").path
    static let internalTexts = [
        "NSCocoaErrorDomain", "The operation could not be completed", "permission", "libxml2", "EncodingError",
        "CommandError", "nan",
    ]

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runLNTune(try #require(lntuneExecutable()), arguments)
    }

    /// Inputs that are not readable files: a folder, a named pipe, a missing file, a path through a file.
    /// Every command that reads files reports them with the path and the reason (status 1).
    @Test func unreadableInputsAreNamedInPlainWords() throws {
        let folder = try TemporaryFolder()
        let plain = try folder.write("x\n", to: "plain.txt").path
        let pipe = folder.url(for: "pipe").path
        try #require(mkfifo(pipe, 0o600) == 0)
        let cases: [(path: String, reason: String)] = [
            (folder.url.path, "folder"), (pipe, "named pipe"), (folder.url(for: "missing.txt").path, "no such file"),
            (plain + "/inside.txt", "is a file, not a folder"),
        ]
        for (path, reason) in cases {
            for command in [
                ["score", "--jsonl", path], ["score", "--hyp", plain, "--ref", path],
                ["tokenize", "--tokenizer", Self.tokenizer, "--input", path],
                ["perplexity", "--model", Self.model, "--tokenizer", Self.tokenizer, "--input", path],
                ["generate", "--model", Self.model, "--tokenizer", Self.tokenizer, "--input", path, "--task", "e2e"],
            ] {
                let (status, output) = try Self.run(command)
                #expect(status == 1, "\(command): \(output)")
                #expect(output.contains(path) && output.contains(reason), "\(command): \(output)")
                for text in Self.internalTexts { #expect(!output.contains(text), "\(command): \(output)") }
            }
        }
    }

    /// Model and adapter folders whose files are a folder or a named pipe are reported the same way, for every
    /// command that loads a model.
    @Test func unreadableModelAndAdapterFilesAreNamedInPlainWords() throws {
        let folder = try TemporaryFolder()
        let input = try folder.write("name : Aromi\n", to: "lines.txt").path
        let weightsFolder = try folder.copy(fixture: "generate-prefix/tiny-bpe-gpt2")
        let weights = weightsFolder.appendingPathComponent("model.safetensors")
        try FileManager.default.removeItem(at: weights)
        try FileManager.default.createDirectory(at: weights, withIntermediateDirectories: true)
        let configPipe = try folder.copy(fixture: "generate-prefix/tiny-bpe-gpt2")
        let config = configPipe.appendingPathComponent("config.json")
        try FileManager.default.removeItem(at: config)
        try #require(mkfifo(config.path, 0o600) == 0)
        let adapter = folder.url(for: "adapter")
        try FileManager.default.createDirectory(
            at: adapter.appendingPathComponent("adapter_config.json"), withIntermediateDirectories: true)
        let cases: [(model: URL, adapter: [String], path: URL, reason: String)] = [
            (weightsFolder, [], weights, "folder"), (configPipe, [], config, "named pipe"),
            (
                Fixtures.url("generate-prefix/tiny-bpe-gpt2"), ["--adapter", adapter.path],
                adapter.appendingPathComponent("adapter_config.json"), "folder"
            ),
        ]
        for (model, adapterFlag, path, reason) in cases {
            for command in [
                ["perplexity", "--input", input], ["generate", "--prompt", "name : Aromi"],
            ] {
                let arguments = command + ["--model", model.path, "--tokenizer", Self.tokenizer] + adapterFlag
                let (status, output) = try Self.run(arguments)
                #expect(status == 1, "\(arguments): \(output)")
                #expect(output.contains(path.path) && output.contains(reason), "\(arguments): \(output)")
                for text in Self.internalTexts { #expect(!output.contains(text), "\(arguments): \(output)") }
            }
        }
    }

    /// Settings that only the loaded model refutes are still usage errors (status 64), with the flag's name.
    @Test(arguments: [
        (["--num-beams", "700", "--max-new-tokens", "2"], "num_beams"),
        (["--min-new-tokens", "20", "--max-new-tokens", "10"], "min_new_tokens"),
        (["--num-return-sequences", "3"], "num_return_sequences"),
        (["--max-new-tokens", "5000"], "--max-new-tokens"),
        (["--bad-words", "zzzz", "--decode", "beam", "--num-beams", "2", "--num-return-sequences", "3"], "num_return"),
    ])
    func modelDependentSettingsAreUsageErrors(arguments: [String], named: String) throws {
        let (status, output) = try Self.run(
            ["generate", "--model", Self.model, "--tokenizer", Self.tokenizer, "--prompt", "name : Aromi"] + arguments)
        #expect(status == 64, "\(output)")
        #expect(output.contains(named) && output.contains("lntune generate --help"), "\(output)")
    }

    /// In dataset mode an example whose prompt leaves no room for --max-new-tokens names the example and the
    /// flag to lower (the loader's own hint, a maximum length, is not a generate option).
    @Test func datasetPromptsTooLongNameTheFlagToLower() throws {
        let folder = try TemporaryFolder()
        let input = try folder.write(GeneratePipelineTests.csv, to: "dev.csv").path
        let (status, output) = try Self.run([
            "generate", "--model", Self.model, "--tokenizer", Self.tokenizer, "--input", input, "--task", "e2e",
            "--max-new-tokens", "120",
        ])
        #expect(status == 64, "\(output)")
        #expect(output.contains("example ") && output.contains("lower --max-new-tokens"), "\(output)")
    }

    /// An empty path is a usage error, not the current folder.
    @Test(arguments: [
        ["generate", "--model", "", "--prompt", "x"],
        ["generate", "--model", "m", "--input", "i", "--task", "e2e", "--out", ""],
        ["merge", "--model", "m", "--adapter", "a", "--out", ""], ["quickstart", "--out", " "],
        ["perplexity", "--model", "m", "--input", ""], ["score", "--jsonl", ""],
    ])
    func emptyPathsAreUsageErrors(arguments: [String]) throws {
        let (status, output) = try Self.run(arguments)
        #expect(status == 64 && output.contains("is empty"), "\(arguments): \(output)")
    }

    /// Requests that would not fit in memory are refused with the estimate and the flags to lower, instead of
    /// a crash ("failed to allocate", status 134) or the out-of-memory killer.
    @Test(arguments: [
        ["bench", "forward", "--batch-size", "4096", "--seq-len", "1024", "--repeats", "1"],
        ["bench", "decoding", "--prompts", "4096", "--num-beams", "1000", "--vocabulary", "1000000", "--repeats", "1"],
    ])
    func oversizedRequestsAreRefusedBeforeAllocating(arguments: [String]) throws {
        let (status, output) = try Self.run(arguments)
        #expect(status == 1, "\(output)")
        #expect(output.contains("needs about") && output.contains("lower --"), "\(output)")
    }

    /// Nothing to score is an error, not "perplexity 1.0000"; counts are written with their noun in number.
    @Test func emptyInputsAndCountsReadRight() throws {
        let folder = try TemporaryFolder()
        for (name, text) in [("empty.txt", ""), ("blank.txt", "\n\n\r\n")] {
            let path = try folder.write(text, to: name).path
            let (status, output) = try Self.run(
                ["perplexity", "--model", Self.model, "--tokenizer", Self.tokenizer, "--input", path])
            #expect(status == 1 && output.contains("nothing to score"), "\(output)")
        }
        let one = try folder.write(#"{"prediction": "a b", "references": ["a b"]}"# + "\n", to: "one.jsonl").path
        let (status, output) = try Self.run(["score", "--jsonl", one, "--metrics", "bleu"])
        #expect(status == 0 && output.hasPrefix("1 segment\n"), "\(output)")
        for metrics in ["", " , ", "bleu,,rouge", "bleu,BLEU"] {
            let (status, output) = try Self.run(["score", "--jsonl", one, "--metrics", metrics])
            #expect(status == 64 && output.contains("--metrics"), "'\(metrics)': \(output)")
        }
    }
}
