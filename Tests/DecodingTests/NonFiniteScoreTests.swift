import Decoding
import Foundation
import Testing

/// Decoding never turns garbage into text: a NaN or infinite logit from the model stops every decoder with
/// `nonFiniteLogits` naming the call, row and token, and settings that leave a row no token to choose stop it
/// with `noTokenLeft` (where arg-max would have returned token 0 and the output looked like text).
struct NonFiniteScoreTests {
    /// The synthetic model, with `value` written over one logit from the `badCall`-th call on (0 = prefill).
    struct Poisoned: CausalLanguageModel {
        var inner = SyntheticModel()
        let value: Float
        let badCall: Int
        let token: Int
        var calls = 0

        var vocabularySize: Int { inner.vocabularySize }
        var maxSequenceLength: Int { inner.maxSequenceLength }

        mutating func prefill(_ prompts: [[Int]], maxNewTokens: Int) throws -> [Float] {
            poison(try inner.prefill(prompts, maxNewTokens: maxNewTokens))
        }
        mutating func step(_ tokens: [Int]) throws -> [Float] { poison(try inner.step(tokens)) }
        mutating func reorderCache(_ rows: [Int]) throws { try inner.reorderCache(rows) }

        private mutating func poison(_ logits: [Float]) -> [Float] {
            defer { calls += 1 }
            guard calls >= badCall else { return logits }
            var out = logits
            out[token] = value
            return out
        }
    }

    static func parameters(_ mode: String) -> GenerateParameters {
        var p = GenerateParameters()
        p.eosTokenId = SyntheticModel.eos
        p.maxNewTokens = 6
        switch mode {
        case "beam": p.numBeams = 3
        case "sample": p.doSample = true
        default: break
        }
        return p
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity], ["greedy", "beam", "sample"])
    func nonFiniteLogitsStopEveryDecoder(value: Float, mode: String) {
        for badCall in [0, 2] {
            var model = Poisoned(value: value, badCall: badCall, token: 7)
            #expect {
                _ = try Generation.generate(&model, prompts: [[1, 2]], parameters: Self.parameters(mode))
            } throws: { error in
                guard case let .nonFiniteLogits(call, 0, 7, got)? = error as? GenerationError else { return false }
                return call == (badCall == 0 ? "prefill" : "step") && (got.isNaN ? value.isNaN : got == value)
            }
        }
    }

    @Test func nonFiniteLogitsStopAStream() throws {
        let model = Poisoned(value: .nan, badCall: 2, token: 3)
        var stream = try Generation.stream(model, prompt: [1], parameters: Self.parameters("greedy"))
        #expect(try stream.nextToken() != nil)
        #expect(throws: GenerationError.self) { while try stream.nextToken() != nil {} }
    }

    /// Every token banned (bad words ban all but <|endoftext|>, which transformers never bans that way, and
    /// the minimum length bans it): nothing to pick, for each decoder.
    @Test(arguments: ["greedy", "beam", "sample"])
    func noTokenLeftIsAnError(mode: String) {
        var p = Self.parameters(mode)
        p.badWordsIds = (0..<SyntheticModel.vocabulary).filter { $0 != SyntheticModel.eos }.map { [$0] }
        p.minNewTokens = 3
        var model = SyntheticModel()
        #expect {
            _ = try Generation.generate(&model, prompts: [[1, 2]], parameters: p)
        } throws: { error in
            guard case .noTokenLeft(0, 0)? = error as? GenerationError else { return false }
            return true
        }
    }

    /// More beams than tokens, or a minimum above the maximum, are refused before decoding.
    @Test func impossibleSizesAreRefused() {
        var beams = Self.parameters("beam")
        beams.numBeams = SyntheticModel.vocabulary + 1
        var lengths = Self.parameters("greedy")
        lengths.minNewTokens = 7
        for (p, name) in [(beams, "num_beams"), (lengths, "min_new_tokens")] {
            var model = SyntheticModel()
            #expect {
                _ = try Generation.generate(&model, prompts: [[1]], parameters: p)
            } throws: { error in
                guard case .invalidParameter(name, _, _)? = error as? GenerationError else { return false }
                return true
            }
        }
    }
}
