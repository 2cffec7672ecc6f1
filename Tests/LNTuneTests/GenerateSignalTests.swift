import Decoding
import Foundation
import LNTune
import TestSupport
import Testing

/// A real Ctrl-C (SIGINT) or SIGTERM sent to `lntune generate` in dataset mode stops it after the current
/// batch with status 128 + signal, keeping every finished batch in OUT.partial (and no half-written --out or
/// --text); the same command with `--resume` decodes only the rest, and its files are byte-identical to those
/// of an uninterrupted run with the same settings (run through the library).
@Test(
    .enabled(
        if: lntuneExecutable() != nil && TrainingFixture.bundledModel != nil,
        "needs the lntune executable beside the test runner (run `swift build`) and data/tiny-model"),
    arguments: [SIGINT, SIGTERM])
func generateSignalKeepsFinishedBatchesAndResumes(_ signal: Int32) throws {
    let executable = try #require(lntuneExecutable())
    let model = try #require(TrainingFixture.bundledModel)
    let folder = try TemporaryFolder()
    let input = TrainingFixture.sample.appendingPathComponent("test.csv").path
    let (out, text) = (folder.url(for: "p.jsonl").path, folder.url(for: "p.txt").path)
    // Forty examples, one per batch, sixty tokens each: long enough to be interrupted after the first batch.
    let command = [
        "generate", "--model", model.path, "--input", input, "--task", "e2e", "--batch-size", "1",
        "--min-new-tokens", "60", "--max-new-tokens", "60", "--out", out, "--text", text,
    ]
    let interrupted = try runLNTune(executable, command) { output, process in
        guard output.contains("/40 examples") else { return false }
        if signal == SIGINT { process.interrupt() } else { process.terminate() }
        return true
    }
    #expect(interrupted.status == 128 + signal, "\(interrupted.output)")
    #expect(interrupted.output.contains("--resume"), "\(interrupted.output)")
    let journal = out + ".partial"
    let kept = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").count - 1
    #expect(kept >= 1 && kept < 40, "\(interrupted.output)")
    #expect(!FileManager.default.fileExists(atPath: out) && !FileManager.default.fileExists(atPath: text))

    let resumed = try runLNTune(executable, command + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.output)")
    #expect(resumed.output.contains("resuming: \(kept) example"), "\(resumed.output)")
    #expect(!FileManager.default.fileExists(atPath: journal))

    let generator = try Generator(ModelRequest(model: model.path))
    var choice = DecodingChoice()
    (choice.minNewTokens, choice.maxNewTokens) = (60, 60)
    let straight = DatasetRunRequest(
        task: .e2e, input: input, batchSize: 1, out: folder.url(for: "s.jsonl").path,
        text: folder.url(for: "s.txt").path)
    try straight.run(generator: generator, parameters: try generator.parameters(choice))
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(contentsOf: folder.url(for: "s.jsonl")))
    #expect(try Data(contentsOf: URL(fileURLWithPath: text)) == Data(contentsOf: folder.url(for: "s.txt")))
}
