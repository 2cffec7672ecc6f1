import Datasets
import Foundation
import GPT2
import LNTune
import TestSupport
import Testing
import Tuning

/// SHA-256 matches the FIPS 180-4 examples and `sha256sum`-style hashes of data split at any point (the
/// streaming update must not depend on chunk boundaries).
@Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
])
func sha256KnownAnswers(_ text: String, _ digest: String) {
    #expect(SHA256.hex(Array(text.utf8)) == digest)
}

@Test func sha256IsIndependentOfChunking() throws {
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    let whole = SHA256.hex(bytes)
    for cut in [1, 55, 56, 63, 64, 65, 500] {
        var hash = SHA256()
        hash.update(bytes[..<cut])
        hash.update(bytes[cut...])
        #expect(hash.finalize() == whole)
    }
    let folder = try TemporaryFolder()
    let file = folder.url.appendingPathComponent("data.bin")
    try Data(bytes).write(to: file)
    #expect(try SHA256.hex(fileAt: file) == whole)
}

/// With accumulation k, each epoch's batches are served once each, in order, k per step, the last step of an
/// epoch taking the remainder; `cursor(ofStep:)` lands on each step's first batch; `--max-steps` overrides
/// the epoch count.
@Test(arguments: [1, 2, 3, 7])
func stepScheduleCoversEveryBatchOncePerEpoch(_ accumulation: Int) throws {
    let sequences = (0..<23).map {
        EncodedSequence(id: "\($0)", tokens: [Int32](repeating: 1, count: 2 + $0 % 5), targetStart: 1)
    }
    let batcher = try Batcher(sequences: sequences, batchSize: 4, seed: 9)
    var schedule = StepSchedule(batcher: batcher, accumulation: accumulation, epochs: 2, maxSteps: nil)
    let perEpoch = (batcher.batchesPerEpoch + accumulation - 1) / accumulation
    #expect(schedule.stepsPerEpoch == perEpoch && schedule.totalSteps == 2 * perEpoch)
    for epoch in 0..<2 {
        var served: [[Int]] = []
        for step in epoch * perEpoch..<(epoch + 1) * perEpoch {
            let (batches, endsEpoch) = schedule.batches(at: schedule.cursor(ofStep: step))
            #expect(endsEpoch == (step == (epoch + 1) * perEpoch - 1))
            #expect(
                batches.count == min(accumulation, batcher.batchesPerEpoch - (step - epoch * perEpoch) * accumulation))
            served += batches.map(\.sequenceIndices)
        }
        #expect(served == batcher.plan(epoch: epoch))
    }
    #expect(StepSchedule(batcher: batcher, accumulation: accumulation, epochs: 2, maxSteps: 50).totalSteps == 50)
}

/// Data batches become tuner batches with labels only where the loss mask is set (prompt and padding get
/// ignore_index) and the attention mask carried over.
@Test func batchesBecomeLabelledTrainingBatches() throws {
    let sequences = [
        EncodedSequence(id: "a", tokens: [5, 6, 7, 8], targetStart: 2),
        EncodedSequence(id: "b", tokens: [9, 10], targetStart: 1),
    ]
    let batcher = try Batcher(sequences: sequences, batchSize: 2, seed: 1, padID: 99)
    let batch = try TrainingBatch(batcher.assemble([0, 1]))
    #expect(batch.tokens.tokens == [5, 6, 7, 8, 9, 10, 99, 99])
    #expect(batch.tokens.mask == [1, 1, 1, 1, 1, 1, 0, 0])
    #expect(batch.labels == [-100, -100, 7, 8, -100, 10, -100, -100])
}

/// Settings that cannot work are refused before any file is read, naming the option.
@Test(arguments: ["epochs", "batch-size", "grad-accum", "lr", "task", "on-bad-row", "early-stopping-patience"])
func impossibleSettingsAreRefused(_ option: String) {
    var s = TrainingSettings(model: "m", task: "e2e", train: "t", dev: "d", out: "o")
    switch option {
    case "epochs": s.epochs = 0
    case "batch-size": s.batchSize = 0
    case "grad-accum": s.gradientAccumulation = 0
    case "lr": s.learningRate = -1
    case "task": s.task = "poetry"
    case "on-bad-row": s.onBadRow = "ignore"
    default:
        s.earlyStoppingPatience = 2
        s.dev = nil
    }
    #expect {
        try s.validate()
    } throws: { error in
        guard case let .training(.invalidSetting(name, _, _))? = error as? LNTuneError else { return false }
        return name == option
    }
}

/// The `text` task: one document per non-blank line (CRLF reads as LF), each a target after the built-in
/// template's `<|endoftext|>`; a line that is not UTF-8 fails or is skipped, naming the line and column.
@Test func plainTextTask() throws {
    let folder = try TemporaryFolder()
    let file = folder.url.appendingPathComponent("corpus.txt")
    try Data("First document.\r\n\n  \nSecond one.\n".utf8 + [0xFF, 0x0A] + Data("Third.\r".utf8)).write(to: file)
    let badLine = DatasetError.input(.invalidUTF8(file: file.path, line: 5, column: 1, byte: 0xFF))
    #expect(throws: badLine) {
        try PlainTextLoader.load(file, onBadRow: .fail)
    }
    let loaded = try TrainingTask.text.load(file, onBadRow: .skip)
    #expect(loaded.examples.map(\.references) == [["First document."], ["Second one."], ["Third."]])
    #expect(loaded.examples.allSatisfy { $0.source.isEmpty })
    #expect(loaded.skipped == [badLine])
    let template = try TrainingTask.text.defaultTemplate()
    #expect(template.text(source: "", target: "Hi.") == "<|endoftext|> Hi. <|endoftext|>")
    #expect(try TrainingTask(name: "text") == .text && (try TrainingTask(name: "dart")) == .dataset(.dart))
}
