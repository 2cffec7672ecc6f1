import Decoding
import Foundation
import Testing

/// Bad requests fail with typed errors before any model call; a misbehaving model is reported, not trusted.
@Suite struct GenerationErrorTests {
    static func greedy(_ edit: (inout GenerateParameters) -> Void = { _ in }) -> GenerateParameters {
        var p = GenerateParameters()
        p.eosTokenId = SyntheticModel.eos
        edit(&p)
        return p
    }

    static func generate(_ prompts: [[Int]], _ p: GenerateParameters) throws {
        var model = SyntheticModel()
        _ = try Generation.generate(&model, prompts: prompts, parameters: p)
        #expect(Bool(false), "expected an error, the request ran")
    }

    /// Prompts: none, empty, out-of-vocabulary ids, longer than the context, or too long with max_new_tokens.
    @Test func badPrompts() {
        #expect(throws: GenerationError.noPrompts) { try Self.generate([], Self.greedy()) }
        #expect(throws: GenerationError.emptyPrompt(index: 1)) { try Self.generate([[1], []], Self.greedy()) }
        #expect(throws: GenerationError.tokenOutOfRange(prompt: 0, position: 2, token: 50, vocabularySize: 50)) {
            try Self.generate([[1, 2, 50]], Self.greedy())
        }
        #expect(throws: GenerationError.tokenOutOfRange(prompt: 0, position: 0, token: -1, vocabularySize: 50)) {
            try Self.generate([[-1]], Self.greedy())
        }
        #expect(throws: GenerationError.promptTooLong(index: 0, length: 64, maxSequenceLength: 64)) {
            try Self.generate([Array(repeating: 3, count: 64)], Self.greedy())
        }
        #expect(throws: GenerationError.lengthExceedsContext(promptWidth: 50, maxNewTokens: 20, maxSequenceLength: 64))
        {
            try Self.generate([[1], Array(repeating: 3, count: 50)], Self.greedy())
        }
    }

    /// Every parameter transformers (or this module) rejects names itself.
    @Test(arguments: [
        (
            "num_return_sequences",
            greedy {
                $0.numBeams = 3; $0.numReturnSequences = 4
            }
        ),
        ("num_return_sequences", greedy { $0.numReturnSequences = 2 }),
        ("num_return_sequences", greedy { $0.numReturnSequences = 0 }),
        ("num_beams", greedy { $0.numBeams = 0 }),
        ("top_p", greedy { $0.topP = 0 }),
        ("top_p", greedy { $0.topP = 1.5 }),
        ("top_p", greedy { $0.topP = -0.2 }),
        ("temperature", greedy { $0.temperature = 0 }),
        ("temperature", greedy { $0.temperature = -1 }),
        ("temperature", greedy { $0.temperature = .nan }),
        ("top_k", greedy { $0.topK = -1 }),
        ("max_new_tokens", greedy { $0.maxNewTokens = 0 }),
        ("min_new_tokens", greedy { $0.minNewTokens = -1 }),
        ("repetition_penalty", greedy { $0.repetitionPenalty = 0 }),
        ("length_penalty", greedy { $0.lengthPenalty = .infinity }),
        ("no_repeat_ngram_size", greedy { $0.noRepeatNgramSize = -2 }),
        ("bad_words_ids", greedy { $0.badWordsIds = [[1], []] }),
        ("bad_words_ids", greedy { $0.badWordsIds = [[1, 50]] }),
        ("eos_token_id", greedy { $0.eosTokenId = 50 }),
        ("eos_token_id", greedy { $0.eosTokenIds = [49, -3] }),
        ("typical_p", greedy { $0.typicalP = 0 }),
        ("epsilon_cutoff", greedy { $0.epsilonCutoff = 1 }),
        ("eta_cutoff", greedy { $0.etaCutoff = -0.1 }),
        ("min_tokens_to_keep", greedy { $0.minTokensToKeep = 0 }),
        ("sequence_bias", greedy { $0.sequenceBias = [SequenceBias(tokens: [], bias: 1)] }),
        ("sequence_bias", greedy { $0.sequenceBias = [SequenceBias(tokens: [3, 50], bias: 1)] }),
        ("forced_bos_token_id", greedy { $0.forcedBosTokenId = 50 }),
        ("forced_eos_token_id", greedy { $0.forcedEosTokenIds = [3, -1] }),
        ("pad_token_id", greedy { $0.padTokenId = -1 }),
    ])
    func invalidParameter(name: String, parameters: GenerateParameters) {
        #expect {
            try Self.generate([[1, 2]], parameters)
        } throws: { error in
            guard case let .invalidParameter(got, _, hint)? = error as? GenerationError else { return false }
            return got == name && !hint.isEmpty
        }
    }

    /// Beam sampling draws (1 + EOS ids) × num_beams continuations without replacement; when top-k leaves fewer
    /// (only beam 0 is alive at the first step), it stops with a typed error, as torch.multinomial does.
    @Test func beamSamplingNeedsEnoughTokens() {
        #expect(throws: GenerationError.tooFewTokensToSample(row: 0, needed: 4, available: 2)) {
            try Self.generate(
                [[1]],
                Self.greedy {
                    $0.numBeams = 2; $0.doSample = true; $0.topK = 1
                })
        }
    }

    /// A model that returns the wrong number of logits is caught at the call that did it.
    @Test func badModelOutput() {
        struct Broken: CausalLanguageModel {
            var vocabularySize: Int { 10 }
            var maxSequenceLength: Int { 32 }
            mutating func prefill(_ prompts: [[Int]], maxNewTokens: Int) throws -> [Float] { [0, 1, 2] }
            mutating func step(_ tokens: [Int]) throws -> [Float] { [] }
            mutating func reorderCache(_ rows: [Int]) throws {}
        }
        var model = Broken()
        #expect(throws: GenerationError.badModelOutput(call: "prefill", expected: 20, got: 3)) {
            _ = try Generation.generate(&model, prompts: [[1], [2]], parameters: GenerateParameters())
        }
    }

    /// Messages carry the value and a hint.
    @Test func messagesAreSpecific() {
        let message = GenerationError.lengthExceedsContext(promptWidth: 40, maxNewTokens: 30, maxSequenceLength: 48)
            .description
        #expect(message.contains("70") && message.contains("48") && message.contains("at most 8"))
        #expect(
            GenerationError.invalidParameter(name: "top_p", value: "2.0", hint: "must be in (0, 1]")
                .description.contains("top_p = 2.0"))
    }

    /// `early_stopping` accepts only true, false and "never" when decoding JSON.
    @Test func earlyStoppingJSON() throws {
        func decode(_ json: String) throws -> GenerateParameters {
            try JSONDecoder().decode(GenerateParameters.self, from: Data(json.utf8))
        }
        #expect(try decode(#"{"early_stopping": true}"#).earlyStopping == .immediate)
        #expect(try decode(#"{"early_stopping": false}"#).earlyStopping == .heuristic)
        #expect(try decode(#"{"early_stopping": "never"}"#).earlyStopping == .never)
        #expect(throws: DecodingError.self) { try decode(#"{"early_stopping": "sometimes"}"#) }
    }
}
