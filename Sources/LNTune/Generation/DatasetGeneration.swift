import Datasets
import Decoding
import Foundation

/// One line of the predictions JSONL: an example (a unique source with all its references) and the output.
public struct PredictionRecord: Codable, Sendable, Equatable {
    public var id: String
    public var source: String
    public var prediction: String
    /// The new tokens, `<|endoftext|>` excluded.
    public var tokenIDs: [Int]
    public var references: [String]

    enum CodingKeys: String, CodingKey {
        case id, source, prediction
        case tokenIDs = "token_ids"
        case references
    }
}

/// Dataset mode of `lntune generate`: one prompt per example (the template's part before `{target}`), decoded in
/// batches of similar length, and one record per example in the data file's order.
///
/// Batching by length keeps left padding small (a padded slot costs as much as a real one). It cannot change an
/// output: padded slots are masked out exactly and rows never see each other (`CausalLanguageModel`).
public struct DatasetGeneration {
    public let generator: Generator
    public let parameters: GenerateParameters
    public let batchSize: Int
    public var cleanUpSpaces = true

    public init(generator: Generator, parameters: GenerateParameters, batchSize: Int) throws {
        guard batchSize >= 1 else {
            throw LNTuneError.generation(
                .invalidSetting(name: "batch-size", value: String(batchSize), hint: "must be at least 1"))
        }
        guard parameters.numReturnSequences == 1 else {
            throw LNTuneError.generation(
                .invalidSetting(
                    name: "num-return-sequences", value: String(parameters.numReturnSequences),
                    hint: "a dataset gets one prediction per example; use --prompt to see several"))
        }
        self.generator = generator
        self.parameters = parameters
        self.batchSize = batchSize
    }

    /// Prompt token ids for every example, each leaving room for `max_new_tokens`. Tasks that never cut their
    /// input (table-to-text) fail on a source too long for the context; dialogues lose their first words.
    public func prompts(for examples: [Example], template: PromptTemplate, overflow: OverflowPolicy) throws -> [[Int]] {
        let encoder = try SequenceEncoder(
            template: template, encoder: generator.tokenizer, maxLength: generator.maxSequenceLength, overflow: overflow)
        let budget = generator.maxSequenceLength - parameters.maxNewTokens
        guard budget >= 1 else {
            throw LNTuneError.generation(
                .invalidSetting(
                    name: "max-new-tokens", value: String(parameters.maxNewTokens),
                    hint: "leaves no room for a prompt in the model's \(generator.maxSequenceLength) positions"))
        }
        return try examples.map { try encoder.encodePrompt($0, budget: budget).tokens.map(Int.init) }
    }

    /// Indices of `lengths` grouped into batches of at most `size`, longest first (stable among equal lengths),
    /// so each batch holds prompts of similar length and the slowest batch comes first.
    public static func lengthBatches(_ lengths: [Int], size: Int) -> [[Int]] {
        let order = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        return stride(from: 0, to: order.count, by: size).map { Array(order[$0..<min($0 + size, order.count)]) }
    }

    /// Decodes every prompt; `progress` is called after each batch with the examples and new tokens done so far.
    public func run(
        examples: [Example], prompts: [[Int]], progress: (_ examples: Int, _ newTokens: Int) -> Void = { _, _ in }
    ) throws -> [PredictionRecord] {
        guard examples.count == prompts.count else {
            throw LNTuneError.generation(
                .invalidSetting(
                    name: "prompts", value: String(prompts.count), hint: "need one per example (\(examples.count))"))
        }
        var outputs = [GeneratedSequence?](repeating: nil, count: prompts.count)
        var done = 0
        var tokens = 0
        for batch in Self.lengthBatches(prompts.map(\.count), size: batchSize) {
            let results = try generator.generate(batch.map { prompts[$0] }, parameters: parameters)
            for (row, index) in batch.enumerated() {
                let sequence = results[row][0]
                outputs[index] = sequence
                tokens += sequence.tokens.count + (sequence.endedWithEOS ? 1 : 0)
            }
            done += batch.count
            progress(done, tokens)
        }
        return try zip(examples, outputs).map { example, output in
            let ids = output?.tokens ?? []
            return PredictionRecord(
                id: example.id, source: example.source,
                prediction: PredictionText.prediction(try generator.tokenizer.decode(ids), cleanUpSpaces: cleanUpSpaces),
                tokenIDs: ids, references: example.references)
        }
    }
}
