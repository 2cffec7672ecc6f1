import Datasets
import Decoding
import Foundation

/// Dataset mode end to end, for the CLI and tests: load the task's file, build prompts, decode, write files.
///
/// Nothing finished is lost: the outputs are checked (writable, not an input) before any work, every batch is
/// appended to a journal beside the output (`PredictionJournal`, `OUT.partial`) as soon as it is decoded, a
/// `StopRequest` (Ctrl-C, SIGTERM) ends the run between batches, and `resume` continues from the journal. The
/// outputs themselves are written in the data file's order when every example is done.
public struct DatasetRunRequest: Sendable {
    public var task: DatasetTask
    public var input: String
    public var promptTemplate: String?
    public var batchSize: Int
    public var out: String?
    public var text: String?
    public var overwrite: Bool
    /// Continue the interrupted run whose predictions are in `journalPath`.
    public var resume: Bool

    public init(
        task: DatasetTask, input: String, promptTemplate: String? = nil, batchSize: Int = 8, out: String? = nil,
        text: String? = nil, overwrite: Bool = false, resume: Bool = false
    ) {
        (self.task, self.input, self.promptTemplate, self.batchSize) = (task, input, promptTemplate, batchSize)
        (self.out, self.text, self.overwrite, self.resume) = (out, text, overwrite, resume)
    }

    /// Where the predictions are journaled: beside `out`, else beside `text`; nil when they go to standard
    /// output only (then an interrupted run prints what it finished).
    public var journalPath: String? { (out ?? text).map(PredictionJournal.path(for:)) }

    /// The files the run writes, with their flags.
    public var outputs: [SameFileCheck.Labeled] {
        [out.map { .init("--out", $0) }, text.map { .init("--text", $0) }].compactMap { $0 }
    }

    /// The files the run reads (besides the model's), with their flags.
    public var inputs: [SameFileCheck.Labeled] {
        [.init("--input", input)] + (promptTemplate.map { [.init("--prompt-template", $0)] } ?? [])
    }

    /// What a run did: the finished records in the data file's order (all of them when `completed`).
    public struct Outcome: Sendable {
        public var records: [PredictionRecord]
        public var examples: Int
        public var completed: Bool
        public var journal: String?
    }

    /// Checks that can be made before a model is loaded: no output is an input or another output, each can
    /// be created, none exists unless `overwrite` (or `resume`, which replaces them when it completes), and an
    /// interrupted run's journal is there exactly when `resume` asks for it.
    public func checkOutputs(modelFiles: [SameFileCheck.Labeled] = []) throws {
        let journal = journalPath.map { [SameFileCheck.Labeled("the journal", $0)] } ?? []
        try SameFileCheck.check(outputs: outputs + journal, inputs: inputs + modelFiles)
        try PredictionFiles.checkWritable(outputs.map(\.path), overwrite: overwrite || resume)
        guard let journal = journalPath else {
            if resume {
                throw LNTuneError.generation(
                    .invalidSetting(name: "resume", value: "", hint: "needs --out or --text, whose journal it reads"))
            }
            return
        }
        let exists = FileManager.default.fileExists(atPath: journal)
        if resume && !exists { throw LNTuneError.generation(.nothingToResume(path: journal)) }
        if !resume && !overwrite && exists { throw LNTuneError.generation(.journalExists(path: journal)) }
    }

    /// Runs the request to the end; without `out` the JSONL is returned only (the CLI prints it).
    @discardableResult
    public func run(
        generator: Generator, parameters: GenerateParameters, progress: GenerationProgress? = nil
    ) throws -> [PredictionRecord] {
        try generate(generator: generator, parameters: parameters, progress: progress).records
    }

    /// Runs the request until it completes or `stop` is requested (checked between batches).
    /// The examples of `input`, the decoding run and each example's prompt ids, checked against the model's
    /// context and the memory before any decoding (one process or one rank of several).
    func preparePrompts(generator: Generator, parameters: GenerateParameters) throws
        -> (examples: [Example], run: DatasetGeneration, prompts: [[Int]])
    {
        let examples = try task.load(URL(fileURLWithPath: input)).examples
        guard !examples.isEmpty else { throw LNTuneError.generation(.noExamples(file: input)) }
        let template =
            try promptTemplate.map { try PromptTemplate(contentsOf: URL(fileURLWithPath: $0)) }
            ?? task.bundledTemplate()
        let run = try DatasetGeneration(generator: generator, parameters: parameters, batchSize: batchSize)
        let prompts = try run.prompts(for: examples, template: template, overflow: task.overflowPolicy)
        try generator.checkMemory(prompts: prompts, batchSize: batchSize, parameters: parameters)
        return (examples, run, prompts)
    }

    public func generate(
        generator: Generator, parameters: GenerateParameters, progress: GenerationProgress? = nil,
        stop: StopRequest? = nil
    ) throws -> Outcome {
        try checkOutputs(modelFiles: Self.modelFiles(generator))
        let (examples, run, prompts) = try preparePrompts(generator: generator, parameters: parameters)

        var done: [Int: PredictionRecord] = [:]
        var journal: PredictionJournal?
        if let path = journalPath {
            let settings = self.settings(generator, parameters)
            if resume {
                (journal, done) = try PredictionJournal.resume(at: path, settings: settings, examples: examples)
            } else {
                journal = try PredictionJournal.create(at: path, settings: settings)
            }
        }
        defer { journal?.close() }
        progress?.total = examples.count
        progress?.resume(from: done.count)
        var tokens = 0
        let completed = try run.decode(
            examples: examples, prompts: prompts, pending: Set(examples.indices).subtracting(done.keys), stop: stop
        ) { batch, newTokens in
            try journal?.append(batch.map(\.record))
            for (index, record) in batch { done[index] = record }
            tokens += newTokens
            progress?.update(examples: done.count, newTokens: tokens)
        }
        let records = examples.indices.compactMap { done[$0] }
        if completed {
            progress?.finish(examples: records.count, newTokens: tokens)
            if let out { try PredictionFiles.write(try PredictionFiles.jsonLines(records), to: out) }
            if let text { try PredictionFiles.write(PredictionFiles.textLines(records), to: text) }
            journal?.remove()
        }
        return Outcome(records: records, examples: examples.count, completed: completed, journal: journalPath)
    }

    /// The settings a resumed run must share with the interrupted one.
    func settings(_ generator: Generator, _ parameters: GenerateParameters) -> DatasetRunSettings {
        DatasetRunSettings(
            model: generator.loaded.modelFolder.path, tokenizer: generator.loaded.tokenizerSource.path,
            adapter: generator.adapter?.source, task: task.rawValue, input: input, promptTemplate: promptTemplate,
            batchSize: batchSize, parameters: parameters)
    }

    /// The model's, tokenizer's and adapter's files, which no output may replace.
    static func modelFiles(_ generator: Generator) -> [SameFileCheck.Labeled] {
        [
            .init("--model", generator.loaded.modelFolder.path),
            .init("--tokenizer", generator.loaded.tokenizerSource.path),
        ] + (generator.adapter.map { [.init("--adapter", $0.source)] } ?? [])
    }
}
