/// The tokens of one greedy or sampled sequence, produced one model step at a time (EOS excluded).
///
/// Use it synchronously (`while let token = try stream.nextToken()`) or as an `AsyncSequence`
/// (`for try await token in stream`); the async iterator runs on the caller's isolation, so a non-Sendable
/// model never crosses actors. After the last token, `result` holds the sequence with its score.
public struct TokenStream<Model: CausalLanguageModel>: AsyncSequence, AsyncIteratorProtocol {
    public typealias Element = Int
    public typealias Failure = any Error

    private var model: Model
    private let prompt: [Int]
    private let maxNewTokens: Int
    private var search: SamplingSearch
    private var pending: [Float]?
    private var started = false

    /// The finished sequence once the stream has ended, nil before.
    public private(set) var result: GeneratedSequence?

    init(model: Model, prompt: [Int], parameters: GenerateParameters) {
        self.model = model
        self.prompt = prompt
        maxNewTokens = parameters.maxNewTokens
        search = SamplingSearch(
            prompts: [prompt], copies: 1, parameters: parameters,
            vocabularySize: model.vocabularySize)
    }

    /// The next token, or nil when the sequence ended (EOS or `max_new_tokens`).
    public mutating func nextToken() throws -> Int? {
        guard result == nil else { return nil }
        if !started {
            started = true
            pending = try model.checkedPrefill([prompt], maxNewTokens: maxNewTokens)
        }
        guard let logits = pending else { return nil }
        let (tokens, survivors) = try search.advance(logits)
        let token = tokens[0]
        if search.isDone {
            pending = nil
            result = search.results(copies: 1)[0][0]
            return search.endedWithEOS[0] ? nil : token
        }
        pending = try model.checkedStep(survivors.map { tokens[$0] })
        return token
    }

    public mutating func next() async throws -> Int? { try nextToken() }

    public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> Int? {
        try nextToken()
    }

    public func makeAsyncIterator() -> TokenStream { self }
}
