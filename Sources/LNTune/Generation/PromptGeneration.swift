import Decoding
import Foundation

/// One continuation of a `--prompt`, as `--json` prints it.
public struct PromptOutput: Codable, Sendable, Equatable {
    /// The decoded new tokens (raw: no clean-up, no strip; the text is what the model wrote).
    public var text: String
    /// The new tokens, `<|endoftext|>` excluded.
    public var tokenIDs: [Int]
    /// Beam search: transformers' `sequences_scores`; greedy/sampling: the sum of chosen-token log-probabilities.
    public var score: Double

    enum CodingKeys: String, CodingKey {
        case text
        case tokenIDs = "token_ids"
        case score
    }

    public init(text: String, tokenIDs: [Int], score: Double) {
        (self.text, self.tokenIDs, self.score) = (text, tokenIDs, score)
    }

    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

extension Generator {
    /// `num_return_sequences` continuations of one prompt text (best first for beam search).
    public func continuations(of text: String, parameters: GenerateParameters) throws -> [PromptOutput] {
        let prompt = try encodePrompt(text, maxNewTokens: parameters.maxNewTokens)
        try checkMemory(prompts: [prompt], batchSize: 1, parameters: parameters)
        return try generate([prompt], parameters: parameters)[0].map {
            PromptOutput(text: try tokenizer.decode($0.tokens), tokenIDs: $0.tokens, score: $0.score)
        }
    }

    /// Whether `parameters` can be streamed token by token (one greedy or sampled sequence).
    public static func canStream(_ parameters: GenerateParameters) -> Bool {
        parameters.numBeams == 1 && parameters.numReturnSequences == 1
    }
}
