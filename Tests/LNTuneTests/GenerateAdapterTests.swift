import Decoding
import Foundation
import GPT2
import LNTune
import TestSupport
import Testing
import Tuning

/// Decoding through an adapter read from PEFT's files equals the Python reference
/// (eval/reference/make_prefix_generate_fixtures.py): a prefix seeded into every row's cache with real tokens
/// starting at position P, and LayerNorms replaced by an LN_TUNING adapter.
struct GenerateAdapterTests {
    struct Expected: Decodable, Sendable {
        struct Case: Decodable, Sendable {
            let adapter: String?
            let num_beams: Int
            let expected: [[Int]]
        }
        let eos_token_id: Int
        let max_new_tokens: Int
        let prefix_length: Int
        let prompts: [[Int]]
        let cases: [String: Case]
    }

    static let fixture = Fixtures.url("generate-prefix")

    static let expectedTable = FixtureTable<Expected>("generate-prefix/expected.json")
    static func expected() throws -> Expected { try expectedTable.value() }

    static func model(adapter: String?) throws -> (GPT2LanguageModel, Adapter?) {
        let weights = try ModelLoader.loadWeights(
            ModelRequest(
                model: Fixtures.url("tiny-gpt2").path, adapter: adapter.map { fixture.appendingPathComponent($0).path })
        )
        let model = try GPT2Model(checkpoint: weights.checkpoint)
        return (GPT2LanguageModel(model: model, prefix: weights.adapter?.prefix), weights.adapter)
    }

    /// Each prompt alone and all prompts as one left-padded batch give PEFT's/transformers' token ids.
    @Test(arguments: try expectedTable.cases(count: 4) { $0.cases.keys.sorted() })
    func matchesPython(name: String) throws {
        let doc = try Self.expected()
        let reference = try #require(doc.cases[name])
        var (model, adapter) = try Self.model(adapter: reference.adapter)
        if reference.adapter == "prefix-adapter" { #expect(adapter?.prefix?.length == doc.prefix_length) }
        try Self.expectDecoding(
            &model, prompts: doc.prompts, maxNewTokens: doc.max_new_tokens, numBeams: reference.num_beams,
            eos: doc.eos_token_id, expected: reference.expected)
    }

    /// Greedy (one beam) or beam search over all prompts as one left-padded batch, and over each prompt alone,
    /// gives `expected` (the new ids per prompt).
    static func expectDecoding(
        _ model: inout GPT2LanguageModel, prompts: [[Int]], maxNewTokens: Int, numBeams: Int, eos: Int,
        expected: [[Int]]
    ) throws {
        var parameters = GenerateParameters()
        parameters.maxNewTokens = maxNewTokens
        parameters.numBeams = numBeams
        parameters.eosTokenId = eos
        let batched = try Generation.generate(&model, prompts: prompts, parameters: parameters)
        #expect(batched.map { $0[0].tokens } == expected)
        for (prompt, want) in zip(prompts, expected) {
            let single = try Generation.generate(&model, prompts: [prompt], parameters: parameters)
            #expect(single[0][0].tokens == want)
        }
    }

    /// The prefix occupies positions: the model offers n_positions − P to prompt and output.
    @Test func prefixTakesPositions() throws {
        let (model, _) = try Self.model(adapter: "prefix-adapter")
        #expect(model.maxSequenceLength == 48 - 4)
    }

    /// An adapter made for a model of another shape is refused when the pipeline loads it, naming the tensor.
    @Test(arguments: ["prefix-adapter", "ln-adapter"])
    func adapterForAnotherShape(adapter: String) throws {
        let folder = try TemporaryFolder()
        let config = GPT2Config(vocabSize: 307, nPositions: 48, nEmbd: 16, nLayer: 2, nHead: 4)
        try GPT2Checkpoint(config: config, parameters: GPT2Parameters(config: config)).save(to: folder.url)
        #expect {
            _ = try ModelLoader.loadWeights(
                ModelRequest(model: folder.url.path, adapter: Self.fixture.appendingPathComponent(adapter).path))
        } throws: { error in
            guard case .tuning(.adapterShapeMismatch(_, _, let expected, let found))? = error as? LNTuneError else {
                return false
            }
            return expected != found
        }
    }
}
