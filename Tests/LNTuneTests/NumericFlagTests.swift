import Foundation
import Testing

/// Every numeric flag of every command (train's own flags aside) has bounds: `--help` states its range, a value
/// outside it stops the command before any work with exit status 64 and a message naming the flag, and a
/// negative number is read as the flag's value, not as an unknown option.
@Suite(needsLNTune)
struct NumericFlagTests {
    /// The words of a command, the arguments it needs to get to `validate()`, and its numeric flags with values
    /// outside their bounds.
    struct Command: Sendable, CustomStringConvertible {
        var words: [String]
        var required: [String]
        var numeric: [String: [String]]
        /// Options of this command only that take text (study's `--lr` takes a list, quickstart's a number).
        var text: Set<String> = []
        var description: String { words.joined(separator: " ") }
    }

    static let huge = "100000000000"
    static let commands: [Command] = [
        Command(
            words: ["generate"], required: ["--model", "missing-model", "--prompt", "x"],
            numeric: [
                "batch-size": ["0", huge], "num-beams": ["0", "100000"], "length-penalty": ["-1000", "nan"],
                "no-repeat-ngram-size": ["-1", huge], "repetition-penalty": ["0", "-1", "inf"],
                "min-new-tokens": ["-1", huge], "max-new-tokens": ["0", "-1", huge], "temperature": ["0", "-1", "nan"],
                "top-k": ["-5", huge], "top-p": ["0", "2", "-0.5"], "seed": ["-1", "18446744073709551616"],
                "num-return-sequences": ["0", huge], "min-length": ["-1", huge], "eos-token-id": ["-1", huge],
                "min-tokens-to-keep": ["0", "-3"], "typical-p": ["0", "1.5"], "epsilon-cutoff": ["1", "-0.1"],
                "eta-cutoff": ["1", "-1", "nan"], "forced-bos-token-id": ["-1", huge], "forced-eos-token-id": ["-2"],
            ]),
        Command(
            words: ["score"], required: ["--jsonl", "missing.jsonl"],
            numeric: [
                "bootstrap": ["0", "100000000"], "seed": ["-1"], "smooth-value": ["-0.5", "nan", "1000"],
                "max-ngram-order": ["0", "7"], "chrf-beta": ["0", "-2", "1000"],
                "confidence": ["0", "1", "-0.5", "nan"],
            ]),
        Command(
            words: ["perplexity"], required: ["--model", "missing-model", "--input", "missing.txt"],
            numeric: ["batch-size": ["0", "-1", "100000000"]]),
        Command(
            words: ["quickstart"], required: [],
            numeric: [
                "epochs": ["0", "100000000"], "lr": ["-1", "0", "nan", "2"], "batch-size": ["0", "99999999"],
                "test-examples": ["0", huge],
            ]),
        Command(
            words: ["study"],
            required: ["--model", "m", "--task", "e2e", "--train", "t", "--test", "t", "--out", "o"],
            numeric: [
                "epochs": ["-1", "0", huge], "max-steps": ["0", "-1"], "batch-size": ["0", huge],
                "eval-every": ["0", "-5"], "test-examples": ["-1"], "max-new-tokens": ["0", huge],
                "log-every": ["0", "-1"],
            ],
            text: ["train", "dev", "test", "methods", "ablation", "seeds", "lr", "eval-metrics"]),
        Command(words: ["report"], required: ["run-folder"], numeric: [:], text: ["format", "title"]),
        Command(words: ["tokenize"], required: ["--tokenizer", "missing"], numeric: [:]),
        Command(words: ["merge"], required: ["--model", "m", "--adapter", "a", "--out", "o"], numeric: [:]),
        Command(words: ["download"], required: ["gpt2"], numeric: [:]),
        Command(
            words: ["bench", "data"], required: ["--file", "missing.csv"],
            numeric: ["batch-size": ["0"], "max-length": ["0", huge], "repeats": ["0", "100000000"]]),
        Command(
            words: ["bench", "decoding"], required: [],
            numeric: [
                "prompts": ["0", "100000000"], "num-beams": ["1", "100000"], "new-tokens": ["0", huge],
                "vocabulary": ["2", "99999999999"], "repeats": ["0"],
            ]),
        Command(
            words: ["bench", "forward"], required: [],
            numeric: ["batch-size": ["0", "100000"], "seq-len": ["1", "5000"], "repeats": ["-1"]]),
        Command(
            words: ["bench", "gemm"], required: [],
            numeric: ["batch-size": ["0", "100000"], "seq-len": ["1", "5000"], "repeats": ["0"]]),
        Command(
            words: ["bench", "generate"], required: ["--model", "missing-model"],
            numeric: [
                "prompt-length": ["0", huge], "new-tokens": ["0", huge], "batch-size": ["0", huge],
                "num-beams": ["1", "100000"], "repeats": ["0"],
            ]),
        Command(
            words: ["bench", "load"], required: ["--model", "missing-model"], numeric: ["repeats": ["0", "100000000"]]),
        Command(words: ["bench", "score"], required: [], numeric: ["repeats": ["0", huge]]),
        Command(
            words: ["bench", "tokenize"], required: ["--tokenizer", "t", "--input", "i"],
            numeric: ["threads": ["0", "100000"], "repeats": ["0"]]),
        Command(
            words: ["bench", "train-step"], required: [],
            numeric: ["batch-size": ["0", "100000"], "seq-len": ["0", "5000"], "repeats": ["0"]]),
        Command(
            words: ["bench", "tune"], required: ["--model", "missing-model"],
            numeric: ["batch-size": ["0", "100000"], "seq-len": ["1", "5000"], "repeats": ["0"]]),
    ]

    /// Options that take text (paths, names, choices), not numbers.
    static let textOptions: Set<String> = [
        "model", "tokenizer", "adapter", "input", "prompt", "task", "prompt-template", "out", "text", "preset",
        "decode", "early-stopping", "bad-words", "hyp", "ref", "refs-grouped", "jsonl", "metrics", "tokenize", "smooth",
        "special", "revision", "sequence-bias", "data", "config", "file", "save-to", "shared", "only", "method",
        "study-methods", "precision",
    ]

    /// The options of `command` as `--experimental-dump-help` lists them: name and help text.
    static func options(_ command: Command) throws -> [(name: String, help: String)] {
        let executable = try #require(lntuneExecutable())
        let (status, output) = try runLNTune(executable, command.words + ["--experimental-dump-help"])
        try #require(status == 0, "\(output)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let described = try #require(root["command"] as? [String: Any])
        let arguments = described["arguments"] as? [[String: Any]] ?? []
        return arguments.filter { $0["kind"] as? String == "option" }.compactMap { argument in
            guard let names = argument["names"] as? [[String: Any]], let name = names.first?["name"] as? String
            else { return nil }
            return (name, argument["abstract"] as? String ?? "")
        }
    }

    /// Every option is either text or in the table of numeric flags, and every numeric one states its range.
    @Test(arguments: commands)
    func everyNumericFlagStatesItsRange(_ command: Command) throws {
        let options = try Self.options(command)
        let numeric = options.filter { !Self.textOptions.contains($0.name) && !command.text.contains($0.name) }
        #expect(Set(numeric.map(\.name)) == Set(command.numeric.keys), "lntune \(command): \(numeric.map(\.name))")
        for option in numeric {
            #expect(option.help.contains("Range: "), "lntune \(command) --\(option.name): \(option.help)")
        }
    }

    /// A value outside the bounds is a usage error naming the flag, found before any file is read.
    @Test(arguments: commands)
    func outOfRangeValuesAreUsageErrors(_ command: Command) throws {
        let executable = try #require(lntuneExecutable())
        for (flag, values) in command.numeric {
            for value in values {
                let (status, output) = try runLNTune(
                    executable, command.words + command.required + ["--\(flag)", value])
                #expect(status == 64, "lntune \(command) --\(flag) \(value): \(output)")
                #expect(output.contains("--\(flag)"), "lntune \(command) --\(flag) \(value): \(output)")
                #expect(!output.contains("Missing value"), "lntune \(command) --\(flag) \(value): \(output)")
            }
        }
    }

    /// `lntune train` (whose bounds `TrainingSettings` checks) reads a negative number as the flag's value too,
    /// and refuses it naming the flag, instead of "Missing value for '--lr'".
    @Test(arguments: [
        "lr", "epochs", "max-steps", "batch-size", "grad-accum", "warmup", "weight-decay", "clip", "dropout",
        "eval-every", "save-every", "early-stopping-patience", "max-length", "max-dev-examples", "log-every",
        "eval-samples", "eval-max-new-tokens",
    ])
    func trainReadsNegativeNumbersAsValues(flag: String) throws {
        let executable = try #require(lntuneExecutable())
        let (status, output) = try runLNTune(
            executable,
            ["train", "--model", "m", "--task", "e2e", "--train", "t", "--dev", "d", "--eval-metrics", "bleu"]
                + ["--out", "o", "--\(flag)", "-1"])
        #expect(status == 64 && output.contains("--\(flag)") && !output.contains("Missing value"), "\(output)")
    }

    /// The numeric options of LoRA and the bottleneck adapters (parsed by the Tuning target) state their range
    /// in `lntune train --help`, and a value outside it — negative ones read as values — is a usage error
    /// naming the option.
    @Test(arguments: [
        ("lora", "lora-r", "-1"), ("lora", "lora-alpha", "0"), ("lora+ln", "lora-dropout", "1"),
        ("adapter", "adapter-reduction-factor", "-16"), ("mam", "adapter-reduction-factor", "1e9"),
    ])
    func methodOptionsAreBounded(method: String, flag: String, value: String) throws {
        let executable = try #require(lntuneExecutable())
        let help = try runLNTune(executable, ["train", "--help"])
        // Help wraps its lines: compare with the whitespace collapsed.
        let text = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let line = text.components(separatedBy: "--\(flag) ").dropFirst().first ?? ""
        #expect(line.prefix(400).contains("Range: "), "--\(flag): \(line.prefix(400))")
        let (status, output) = try runLNTune(
            executable,
            ["train", "--model", "m", "--task", "e2e", "--train", "t", "--out", "o", "--method", method]
                + ["--\(flag)", value])
        #expect(status == 64 && output.contains("--\(flag)") && !output.contains("Missing value"), "\(output)")
    }

    /// A negative number is a value: `--length-penalty -0.5` parses, and the command goes on to load the model
    /// (which does not exist here: a run-time error, status 1).
    @Test func negativeNumbersAreValues() throws {
        let executable = try #require(lntuneExecutable())
        let (status, output) = try runLNTune(
            executable, ["generate", "--model", "missing-model", "--prompt", "x", "--length-penalty", "-0.5"])
        #expect(status == 1, "\(output)")
        #expect(output.contains("missing-model") && !output.contains("length-penalty"), "\(output)")
    }
}
