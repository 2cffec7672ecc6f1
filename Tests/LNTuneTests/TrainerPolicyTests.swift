import Datasets
import Foundation
import LNTune
import TestSupport
import Testing

/// Rows the E2E loader rejects: an empty reference (line 42) and an MR that is not `slot[value]` (line 43).
private let badRows = [#""name[Quill House], food[Thai]","#, #"not a meaning representation,Some text."#]

/// With `--on-bad-row fail` the first bad row stops the run before anything is written, naming file and
/// line; with `skip` both are left out, counted in the overview and in run.json, and training goes on.
@Test func badRowsFailOrAreSkippedAndCounted() throws {
    let fixture = try TrainingFixture(.sample(train: 40, dev: 4, extraTrainRows: badRows))
    let failing = fixture.settings(out: "fail")
    #expect(throws: DatasetError.emptyField(file: fixture.train.path, line: 42, field: "ref")) {
        try Trainer(settings: failing)
    }
    #expect(!FileManager.default.fileExists(atPath: failing.out))

    let skipping = fixture.settings(out: "skip", maxSteps: 1, onBadRow: "skip", withDev: false)
    let trainer = try Trainer(settings: skipping)
    #expect(trainer.data.train.skippedRows.map(\.description).count == 2)
    #expect(trainer.data.train.skippedRows.first == .emptyField(file: fixture.train.path, line: 42, field: "ref"))
    #expect(trainer.data.train.sequences.count == 40)
    #expect(trainer.overview.train.skippedRows == 2)
    _ = try trainer.run()
    #expect(try RunRecord.read(from: RunFolder(skipping.out).runRecord).train.skippedRows == 2)
}

/// Sequences longer than `--max-length` are an error under `fail` and left out, counted, under `skip` (E2E
/// inputs are never truncated).
@Test func tooLongSequencesFailOrAreSkipped() throws {
    let fixture = try TrainingFixture(.sample(train: 40, dev: 4, extraTrainRows: []))
    var settings = fixture.settings(out: "long", maxSteps: 1, withDev: false)
    settings.maxLength = 100
    #expect {
        try Trainer(settings: settings)
    } throws: { error in
        if case .tooLong(_, _, let maxLength, _)? = error as? DatasetError { return maxLength == 100 }
        return false
    }
    settings.onBadRow = "skip"
    let trainer = try Trainer(settings: settings)
    let skipped = trainer.data.train.skippedTooLong.count
    #expect(skipped > 0 && skipped < 40)
    #expect(trainer.data.train.sequences.count == 40 - skipped)
    #expect(trainer.data.train.sequences.allSatisfy { $0.tokens.count <= 100 })
}

/// A folder that holds anything is refused (nothing written); `--overwrite` replaces the files a run
/// writes — including a stale adapter file of another method in final/ — and leaves everything else,
/// even a file of the user's inside final/.
@Test func existingOutputIsRefusedUnlessOverwrite() throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let settings = fixture.settings(out: "out", maxSteps: 1)
    let folder = RunFolder(settings.out)
    try FileManager.default.createDirectory(at: folder.final, withIntermediateDirectories: true)
    let notes = folder.url.appendingPathComponent("notes.txt"),
        readme = folder.final.appendingPathComponent("README.md")
    let stale = folder.final.appendingPathComponent("lntune_adapter.json")
    try Data("mine".utf8).write(to: notes)
    try Data("also mine".utf8).write(to: readme)
    try Data("{}".utf8).write(to: stale)

    #expect(throws: LNTuneError.training(.outputExists(path: folder.url.path, files: ["final", "notes.txt"]))) {
        try Trainer(settings: settings)
    }
    #expect(!FileManager.default.fileExists(atPath: folder.runRecord.path))

    _ = try Trainer(settings: settings, overwrite: true).run()
    #expect(try Data(contentsOf: notes) == Data("mine".utf8))
    #expect(try Data(contentsOf: readme) == Data("also mine".utf8))
    #expect(!FileManager.default.fileExists(atPath: stale.path))
    #expect(FileManager.default.fileExists(atPath: folder.final.appendingPathComponent("adapter_config.json").path))
    #expect(try RunRecord.read(from: folder.runRecord).result?.status == .completed)

    // A finished run is not overwritten by accident either, and has nothing to resume.
    #expect(throws: LNTuneError.self) { try Trainer(settings: settings) }
    #expect {
        try Trainer(settings: settings, resume: true)
    } throws: { error in
        if case .training(.nothingToResume)? = error as? LNTuneError { return true }
        return false
    }
}

/// `--resume` with other settings or changed data is refused, naming what differs; the checkpoint stays.
@Test func resumeRefusesOtherSettingsOrData() throws {
    let fixture = try TrainingFixture(.short(train: 12, dev: 4))
    var settings = fixture.settings(out: "run", epochs: 2)
    let first = try Trainer(settings: settings).run(control: TrainingControl(stopAfterSteps: 1))
    #expect(first.status == .interrupted)

    settings.learningRate = 0.5
    #expect {
        try Trainer(settings: settings, resume: true)
    } throws: { error in
        guard case let .training(.resumeMismatch(_, differences))? = error as? LNTuneError else { return false }
        return differences.count == 1 && differences[0].hasPrefix("learningRate:")
    }
    settings.learningRate = 1e-2
    try Data(#"{"source": "Oak | Thai", "target": "Oak serves Thai food."}"#.utf8).write(to: fixture.dev)
    #expect {
        try Trainer(settings: settings, resume: true)
    } throws: { error in
        guard case let .training(.resumeMismatch(_, differences))? = error as? LNTuneError else { return false }
        return differences.contains { $0.contains("dev.jsonl has changed") }
    }
    #expect(FileManager.default.fileExists(atPath: RunFolder(settings.out).checkpoint.path))
}

/// Early stopping: the run stops at the first evaluation that completes `patience` evaluations in a row
/// without a new best dev loss, writes final/ (status `stopped-early`), and best/ holds the adapter of the
/// best evaluation. A learning rate far too large for LN-Tuning makes the dev loss stop improving early.
@Test func earlyStoppingStopsAfterPatienceEvaluationsWithoutImprovement() throws {
    let fixture = try TrainingFixture(.short(train: 24, dev: 8))
    var settings = fixture.settings(epochs: 20, learningRate: 3, evalEvery: 1)
    settings.schedule = .constant
    settings.earlyStoppingPatience = 2
    let summary = try Trainer(settings: settings).run()
    #expect(summary.status == .stoppedEarly)
    #expect(summary.completedSteps < summary.totalSteps)

    let folder = RunFolder(settings.out)
    let evals = try String(contentsOf: folder.log, encoding: .utf8).split(separator: "\n")
        .filter { $0.contains(#""type":"eval""#) }.map { $0.contains(#""best":true"#) }
    #expect(evals.count == summary.completedSteps)  // one evaluation per step
    #expect(Array(evals.suffix(2)) == [false, false])
    // No earlier point had two misses in a row, or the run would have stopped there.
    #expect(!zip(evals.dropLast(2), evals.dropFirst().dropLast()).contains { !$0 && !$1 })
    let bestStep = try #require(summary.bestStep)
    #expect(evals[bestStep - 1] && !evals[bestStep...].contains(true))
    #expect(
        FileManager.default.fileExists(atPath: folder.final.appendingPathComponent("adapter_model.safetensors").path))
    #expect(try RunRecord.read(from: folder.runRecord).result?.status == .stoppedEarly)
}

/// `--prompt-template` replaces the task's template: sequences are encoded through it and run.json records
/// the template file's SHA-256 beside the data files'.
@Test func customPromptTemplate() throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let template = fixture.folder.url.appendingPathComponent("template.txt")
    try Data("# mine\nInput: {source}\nOutput: {target}<|endoftext|>\n".utf8).write(to: template)
    var settings = fixture.settings(maxSteps: 1, withDev: false)
    settings.promptTemplate = template.path
    let trainer = try Trainer(settings: settings)
    let standard = try Trainer(settings: fixture.settings(out: "standard", maxSteps: 1, withDev: false))
    #expect(trainer.data.template.file == template.path)
    #expect(trainer.data.template.text(source: "a", target: "b") == "Input: a\nOutput: b<|endoftext|>")
    #expect(trainer.data.train.sequences[0].tokens != standard.data.train.sequences[0].tokens)
    _ = try trainer.run()
    let record = try RunRecord.read(from: RunFolder(settings.out).runRecord)
    #expect(record.dataSHA256[template.path] == (try SHA256.hex(fileAt: template)))
}
