import Foundation
import GPT2
import LNTune
import TestSupport
import Testing

/// `lntune train` with absurd numbers: each is refused naming its flag, or trains; none crashes (an
/// `Int.max` epoch or accumulation count used to trap on overflow; `inf` passed the `>= 0` checks and
/// trained to NaN).
@Test(
    .enabled(
        if: lntuneExecutable() != nil,
        "no lntune executable beside the test runner (\(CommandLine.arguments[0])); run `swift build` first"),
    arguments: [
        (["--weight-decay", "inf"], "--weight-decay"), (["--clip", "inf"], "--clip"),
        (["--warmup", "50"], "--warmup"), (["--epochs", "9223372036854775807"], "--epochs"),
        (["--max-dev-examples", "0"], "--max-dev-examples"),
        (["--grad-accum", "9223372036854775807"], ""), (["--batch-size", "9223372036854775807"], ""),
    ])
func absurdNumbersAreRefusedOrTrain(_ flags: [String], _ refusedFlag: String) throws {
    let executable = try #require(lntuneExecutable())
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let out = fixture.folder.url.appendingPathComponent("out").path
    var command = [
        "train", "--model", fixture.model.path, "--task", "jsonl", "--train", fixture.train.path, "--dev",
        fixture.dev.path, "--batch-size", "4", "--out", out,
    ]
    if !flags.contains("--epochs") { command += ["--max-steps", "2"] }
    let result = try runLNTune(executable, command + flags)
    #expect(result.status < 128, "\(flags): killed by a signal\n\(result.output)")
    if refusedFlag.isEmpty {
        #expect(result.status == 0, "\(flags)\n\(result.output)")
    } else {
        #expect(result.status != 0 && result.output.contains(refusedFlag), "\(flags)\n\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: out + "/final"))
    }
}

/// A learning rate that makes training diverge, or a base model that computes NaN, stops `lntune train` with
/// status 1 and an error naming the step, instead of exiting 0 with a NaN adapter.
@Test(
    .enabled(
        if: lntuneExecutable() != nil,
        "no lntune executable beside the test runner (\(CommandLine.arguments[0])); run `swift build` first"),
    arguments: ["lr", "model"])
func divergenceFailsTheCommand(_ cause: String) throws {
    let executable = try #require(lntuneExecutable())
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    var model = fixture.model
    if cause == "model" {
        model = fixture.folder.url.appendingPathComponent("nan-model")
        let parameters = GPT2Parameters.random(config: TrainingFixture.config, seed: 7)
        parameters[.block(0, .mlpFCWeight)][3] = .nan
        try GPT2Checkpoint(config: TrainingFixture.config, parameters: parameters).save(to: model)
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(
                at: fixture.model.appendingPathComponent(name), to: model.appendingPathComponent(name))
        }
    }
    let out = fixture.folder.url.appendingPathComponent("out").path
    let result = try runLNTune(
        executable,
        [
            "train", "--model", model.path, "--task", "jsonl", "--train", fixture.train.path, "--batch-size", "4",
            "--max-steps", "4", "--out", out,
        ] + (cause == "lr" ? ["--lr", "1e30"] : []))
    #expect(result.status == 1, "\(result.output)")
    if cause == "lr" {
        #expect(result.output.contains("diverged at step") && result.output.contains("--lr"), "\(result.output)")
    } else {
        #expect(result.output.lowercased().contains("nan"), "\(result.output)")
    }
    #expect(!FileManager.default.fileExists(atPath: out + "/final"))
}
