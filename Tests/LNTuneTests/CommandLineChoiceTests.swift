import Foundation
import LNTune
import TestSupport
import Testing

/// The `lntune` commands list each option's choices from code in `--help`, refuse a wrong value while parsing
/// (exit status 64, the choices named), and report a loader refusal as an error (status 1).
@Suite(needsLNTune)
struct CommandLineChoiceTests {
    /// `--help` text of `command` and the choices it must list, as ArgumentParser prints them.
    static let expectedChoices: [(command: String, lists: [String])] = [
        (
            "generate",
            [
                "values: " + DatasetTask.allCases.map(\.rawValue).joined(separator: ", "),
                "values: greedy, beam, sample", "values: true, false, never",
            ] + GenerationPreset.all.map(\.name)
        ),
        (
            "train",
            [
                "values: " + TrainingTask.names.joined(separator: ", "), "values: fail, skip",
                "values: linear, constant",
            ]
        ),
        (
            "score",
            [
                "values: " + MetricName.allCases.map(\.rawValue).joined(separator: ", "),
                "values: 13a, intl, char, none", "values: exp, floor, none, add-k",
            ]
        ),
        ("tokenize", ["values: allow, text, reject"]),
    ]

    @Test(arguments: expectedChoices.map(\.command))
    func helpListsTheChoices(command: String) throws {
        let executable = try #require(lntuneExecutable())
        let (status, output) = try runLNTune(executable, [command, "--help"])
        #expect(status == 0, "\(output)")
        let flat = output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in Self.expectedChoices.first(where: { $0.command == command })?.lists ?? [] {
            #expect(flat.contains(text), "lntune \(command) --help lacks '\(text)':\n\(output)")
        }
    }

    /// A value outside the choices stops the parser, which names the option and the valid values.
    @Test func aWrongChoiceIsRefusedWhileParsing() throws {
        let executable = try #require(lntuneExecutable())
        let (status, output) = try runLNTune(
            executable, ["generate", "--model", "m", "--prompt", "x", "--decode", "nucleus"])
        #expect(status == 64, "\(output)")
        #expect(output.contains("--decode") && output.contains("greedy") && output.contains("nucleus"), "\(output)")
    }

    /// `lntune perplexity` loads through the loader: a tokenizer the model cannot embed is refused with its
    /// message before any line is read.
    @Test func perplexityReportsALoaderRefusal() throws {
        let executable = try #require(lntuneExecutable())
        let tinyGPT2 = Fixtures.url("tiny-gpt2").path, tinyBPE = Fixtures.url("tiny-bpe").path
        let (status, output) = try runLNTune(
            executable, ["perplexity", "--model", tinyGPT2, "--tokenizer", tinyBPE, "--input", "missing-input.txt"])
        #expect(status == 1, "\(output)")
        let expected = LNTuneError.loading(
            .vocabularyMismatch(tokenizer: tinyBPE, tokenizerSize: 674, model: tinyGPT2, modelSize: 307))
        #expect(output.contains(expected.description), "\(output)")
    }
}
