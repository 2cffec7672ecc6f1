import Decoding
import Foundation
import GPT2
import Tokenizers
import Tuning

/// A model ready to decode: what `ModelLoader` loaded (the checkpoint `--model` names with `--adapter` applied —
/// its LayerNorms written into the weights, its prefix in front of every row's cache — and the tokenizer), with
/// the decoding entry points of `lntune generate`.
public final class Generator {
    public let loaded: LoadedModel
    public let languageModel: GPT2LanguageModel

    public init(_ loaded: LoadedModel) {
        self.loaded = loaded
        self.languageModel = loaded.languageModel
    }

    /// Loads and checks what `request` names (see `ModelLoader`).
    public convenience init(_ request: ModelRequest) throws {
        self.init(try ModelLoader.load(request))
    }

    public var tokenizer: GPT2Tokenizer { loaded.tokenizer }
    /// The adapter applied, if any.
    public var adapter: Adapter? { loaded.adapter }
    public var endOfText: Int { loaded.endOfText }

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

    /// A decoder that turns streamed tokens into text as soon as their UTF-8 is complete.
    public func incrementalDecoder() -> IncrementalDecoder { IncrementalDecoder(tokenizer: tokenizer) }

    /// A token-by-token stream for one prompt (greedy or sampling, one sequence).
    public func stream(_ prompt: [Int], parameters: GenerateParameters) throws -> TokenStream<GPT2LanguageModel> {
        try checkMemory(prompts: [prompt], batchSize: 1, parameters: parameters)
        return try Generation.stream(languageModel, prompt: prompt, parameters: parameters)
    }
}
