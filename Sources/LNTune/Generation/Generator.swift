import Decoding
import Foundation
import GPT2
import Tokenizers
import Tuning

/// A model ready to decode: the checkpoint `--model` names with `--adapter` applied (its LayerNorms written into
/// the weights, its prefix in front of every row's cache), the tokenizer, and the id that ends a text.
public final class Generator {
    public let languageModel: GPT2LanguageModel
    public let tokenizer: GPT2Tokenizer
    public let modelFolder: URL
    public let tokenizerFolder: URL
    /// The adapter applied, if any.
    public let adapter: Adapter?
    public let endOfText: Int

    public init(model: String, adapter adapterPath: String? = nil, tokenizer tokenizerPath: String? = nil) throws {
        let modelFolder = try ModelResolver.resolve(model)
        let (gpt2, adapter) = try Self.loadModel(folder: modelFolder, adapter: adapterPath.map { URL(fileURLWithPath: $0) })
        let tokenizerFolder = tokenizerPath.map { URL(fileURLWithPath: $0) } ?? modelFolder
        let tokenizer = try GPT2Tokenizer(directory: tokenizerFolder)
        guard tokenizer.vocabularySize <= gpt2.config.vocabSize else {
            throw LNTuneError.generation(
                .vocabularyMismatch(
                    tokenizer: tokenizerFolder.path, tokenizerSize: tokenizer.vocabularySize,
                    modelSize: gpt2.config.vocabSize))
        }
        guard let endOfText = tokenizer.endOfTextID else {
            throw LNTuneError.generation(.noEndOfText(tokenizer: tokenizerFolder.path))
        }
        self.languageModel = GPT2LanguageModel(model: gpt2, prefix: adapter?.prefix)
        self.tokenizer = tokenizer
        self.modelFolder = modelFolder
        self.tokenizerFolder = tokenizerFolder
        self.adapter = adapter
        self.endOfText = endOfText
    }

    /// The checkpoint in `folder` with the adapter in `adapter` applied. The reader checks every tensor against
    /// this model's shape, so an adapter trained on another size fails here with the tensor and both shapes named.
    public static func loadModel(folder: URL, adapter: URL?) throws -> (GPT2Model, Adapter?) {
        let checkpoint = try GPT2Checkpoint.load(directory: folder)
        let loaded = try adapter.map { try AdapterFiles.read(from: $0, modelConfig: checkpoint.config) }
        try loaded?.apply(to: checkpoint.parameters)
        return (try GPT2Model(checkpoint: checkpoint), loaded)
    }

    /// Token positions a prompt plus its new tokens may use (the prefix already taken off).
    public var maxSequenceLength: Int { languageModel.maxSequenceLength }

    /// The parameters `choice` selects for this model's tokenizer.
    public func parameters(_ choice: DecodingChoice) throws -> GenerateParameters {
        let p = try choice.parameters(endOfText: endOfText) { try tokenizer.encode($0, special: .text) }
        try p.validate(vocabularySize: languageModel.vocabularySize)
        return p
    }

    /// Token ids of a `--prompt` text. `<|endoftext|>` written in it is the special token (a prompt for a model
    /// trained with the table-to-text templates ends with it).
    public func encodePrompt(_ text: String, maxNewTokens: Int, source: String = "--prompt") throws -> [Int] {
        let ids = try tokenizer.encode(text, special: .allow)
        guard !ids.isEmpty else { throw LNTuneError.generation(.emptyPrompt(source: source)) }
        let available = maxSequenceLength - maxNewTokens
        guard ids.count <= available else {
            throw LNTuneError.generation(
                .promptTooLong(
                    source: source, tokens: ids.count, available: max(0, available), maxNewTokens: maxNewTokens))
        }
        return ids
    }

    /// Continuations of `prompts` (token ids), `num_return_sequences` per prompt.
    public func generate(_ prompts: [[Int]], parameters: GenerateParameters) throws -> [[GeneratedSequence]] {
        var model = languageModel
        return try Generation.generate(&model, prompts: prompts, parameters: parameters)
    }

    /// A token-by-token stream for one prompt (greedy or sampling, one sequence).
    public func stream(_ prompt: [Int], parameters: GenerateParameters) throws -> TokenStream<GPT2LanguageModel> {
        try Generation.stream(languageModel, prompt: prompt, parameters: parameters)
    }
}
