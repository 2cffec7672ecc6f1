/// Entry points: run a whole request (`generate`), or stream one prompt token by token (`stream`).
public enum Generation {
    /// Generates continuations for `prompts` like transformers' `model.generate(..., **parameters)` on the
    /// left-padded batch: greedy, sampling or beam search as `parameters` select.
    /// - Returns: per prompt, `num_return_sequences` sequences (beam search: best first).
    public static func generate<Model: CausalLanguageModel>(
        _ model: inout Model, prompts: [[Int]], parameters: GenerateParameters
    ) throws -> [[GeneratedSequence]] {
        try validate(prompts: prompts, parameters: parameters, model: model)
        if parameters.numBeams > 1 {
            return try BeamSearch.run(&model, prompts: prompts, parameters: parameters)
        }
        return try SamplingSearch.run(&model, prompts: prompts, parameters: parameters)
    }

    /// Streams the tokens generated for one prompt (greedy or sampling), EOS excluded. The stream owns `model`
    /// (for a reference type: drives the shared instance).
    public static func stream<Model: CausalLanguageModel>(
        _ model: Model, prompt: [Int], parameters: GenerateParameters
    ) throws -> TokenStream<Model> {
        try validate(prompts: [prompt], parameters: parameters, model: model)
        guard parameters.numBeams == 1, parameters.numReturnSequences == 1 else {
            throw GenerationError.unsupported(
                feature: "streaming with num_beams \(parameters.numBeams), num_return_sequences "
                    + "\(parameters.numReturnSequences)",
                hint: "beam search only knows its output at the end; stream greedy or sampled single sequences")
        }
        return TokenStream(model: model, prompt: prompt, parameters: parameters)
    }

    /// The checks transformers makes (or would fail on) before decoding, as typed errors.
    public static func validate<Model: CausalLanguageModel>(
        prompts: [[Int]], parameters: GenerateParameters, model: Model
    ) throws {
        let vocabulary = model.vocabularySize
        try parameters.validate(vocabularySize: vocabulary)
        guard !prompts.isEmpty else { throw GenerationError.noPrompts }
        for (index, prompt) in prompts.enumerated() {
            guard !prompt.isEmpty else { throw GenerationError.emptyPrompt(index: index) }
            if let position = prompt.firstIndex(where: { $0 < 0 || $0 >= vocabulary }) {
                throw GenerationError.tokenOutOfRange(
                    prompt: index, position: position, token: prompt[position], vocabularySize: vocabulary)
            }
            guard prompt.count < model.maxSequenceLength else {
                throw GenerationError.promptTooLong(
                    index: index, length: prompt.count, maxSequenceLength: model.maxSequenceLength)
            }
        }
        let width = prompts.map(\.count).max() ?? 0
        guard width + parameters.maxNewTokens <= model.maxSequenceLength else {
            throw GenerationError.lengthExceedsContext(
                promptWidth: width, maxNewTokens: parameters.maxNewTokens, maxSequenceLength: model.maxSequenceLength)
        }
    }
}
