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
            template: template, encoder: generator.tokenizer, maxLength: generator.maxSequenceLength, overflow: overflow
        )
        let budget = generator.maxSequenceLength - parameters.maxNewTokens
        guard budget >= 1 else {
            throw LNTuneError.generation(
                .invalidSetting(
                    name: "max-new-tokens", value: String(parameters.maxNewTokens),
                    hint: "leaves no room for a prompt in the model's \(generator.maxSequenceLength) positions"))
        }
        return try examples.map { example in
            do {
                return try encoder.encodePrompt(example, budget: budget).tokens.map(Int.init)
            } catch DatasetError.tooLong(let id, let tokens, _, _) {
                // The loader's hint (raise the maximum length) is not a generate option; the new tokens are.
                throw LNTuneError.generation(
                    .promptTooLong(
                        source: "example \(id)", tokens: tokens - parameters.maxNewTokens, available: budget,
                        maxNewTokens: parameters.maxNewTokens))
            }
        }
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
        var outputs = [PredictionRecord?](repeating: nil, count: examples.count)
        var (done, tokens) = (0, 0)
        _ = try decode(examples: examples, prompts: prompts) { batch, newTokens in
            for (index, record) in batch { outputs[index] = record }
            done += batch.count
            tokens += newTokens
            progress(done, tokens)
        }
        return outputs.compactMap { $0 }
    }

    /// Decodes the examples whose indices are in `pending` (all by default), batch by batch, and hands each
    /// finished batch to `batchDone` with its records and new tokens (`<|endoftext|>` counted), so a caller can
    /// write it before the next batch starts. The batches are `lengthBatches` over *all* prompts with the done
    /// examples left out, so a resumed run decodes the same batches as an uninterrupted one. Between batches it
    /// checks `stop` and returns false when asked to stop; true when every pending example is done.
    public func decode(
        examples: [Example], prompts: [[Int]], pending: Set<Int>? = nil, stop: StopRequest? = nil,
        batchDone: (_ records: [(index: Int, record: PredictionRecord)], _ newTokens: Int) throws -> Void
    ) throws -> Bool {
        guard examples.count == prompts.count else {
            throw LNTuneError.generation(
                .invalidSetting(
                    name: "prompts", value: String(prompts.count), hint: "need one per example (\(examples.count))"))
        }
        for batch in Self.lengthBatches(prompts.map(\.count), size: batchSize) {
            let members = pending.map { pending in batch.filter { pending.contains($0) } } ?? batch
            guard !members.isEmpty else { continue }
            if stop?.isRequested == true { return false }
            let results = try generator.generate(members.map { prompts[$0] }, parameters: parameters)
            var tokens = 0
            let records = try zip(members, results).map { index, sequences in
                let sequence = sequences[0]
                tokens += sequence.tokens.count + (sequence.endedWithEOS ? 1 : 0)
                return (index, try record(examples[index], tokens: sequence.tokens))
            }
            try batchDone(records, tokens)
        }
        return true
    }

    /// The record of `example` for its new tokens.
    func record(_ example: Example, tokens: [Int]) throws -> PredictionRecord {
        PredictionRecord(
            id: example.id, source: example.source,
            prediction: PredictionText.prediction(try generator.tokenizer.decode(tokens), cleanUpSpaces: cleanUpSpaces),
            tokenIDs: tokens, references: example.references)
    }
}
