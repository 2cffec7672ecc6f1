import Datasets
import Decoding
import Foundation

/// Dataset mode end to end, for the CLI and tests: load the task's file, build prompts, decode, write files.
public struct DatasetRunRequest: Sendable {
    public var task: DatasetTask
    public var input: String
    public var promptTemplate: String?
    public var batchSize: Int
    public var out: String?
    public var text: String?
    public var overwrite: Bool

    public init(
        task: DatasetTask, input: String, promptTemplate: String? = nil, batchSize: Int = 8, out: String? = nil,
        text: String? = nil, overwrite: Bool = false
    ) {
        (self.task, self.input, self.promptTemplate, self.batchSize) = (task, input, promptTemplate, batchSize)
        (self.out, self.text, self.overwrite) = (out, text, overwrite)
    }

    /// Runs the request; without `out` the JSONL is returned only (the CLI prints it). Outputs are checked
    /// before any work, written only at the end.
    @discardableResult
    public func run(
        generator: Generator, parameters: GenerateParameters, progress: GenerationProgress? = nil
    ) throws -> [PredictionRecord] {
        try PredictionFiles.checkWritable([out, text].compactMap { $0 }, overwrite: overwrite)
        let examples = try task.load(URL(fileURLWithPath: input)).examples
        guard !examples.isEmpty else { throw LNTuneError.generation(.noExamples(file: input)) }
        let template =
            try promptTemplate.map { try PromptTemplate(contentsOf: URL(fileURLWithPath: $0)) }
            ?? task.bundledTemplate()
        let run = try DatasetGeneration(generator: generator, parameters: parameters, batchSize: batchSize)
        let prompts = try run.prompts(for: examples, template: template, overflow: task.overflowPolicy)
        progress?.total = examples.count
        var total = 0
        let records = try run.run(examples: examples, prompts: prompts) { done, tokens in
            total = tokens
            progress?.update(examples: done, newTokens: tokens)
        }
        progress?.finish(examples: records.count, newTokens: total)
        if let out { try PredictionFiles.write(try PredictionFiles.jsonLines(records), to: out) }
        if let text { try PredictionFiles.write(PredictionFiles.textLines(records), to: text) }
        return records
    }
}
