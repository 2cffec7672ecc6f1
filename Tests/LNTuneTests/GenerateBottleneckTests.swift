import Decoding
import Foundation
import GPT2
import LNTune
import TestSupport
import Testing
import Tuning

/// Decoding through AdapterHub's adapter folders (eval/reference/make_bottleneck_fixtures.py) equals
/// `generate` in the `adapters` library with its KV cache: the bottleneck adapters act on every decoded position,
/// and MAM's prefix is attended by every row with real tokens starting at position 0.
struct GenerateBottleneckTests {
    struct Expected: Decodable, Sendable {
        struct Case: Decodable, Sendable {
            let folder: String
            let greedy: [[Int]], beam3: [[Int]]
        }
        let eos_token_id: Int
        let max_new_tokens: Int
        let prompts: [[Int]]
        let cases: [String: Case]
    }

    static let table = FixtureTable<Expected>("bottleneck/expected.json")

    static func model(folder: String) throws -> (GPT2LanguageModel, Adapter?) {
        let weights = try ModelLoader.loadWeights(
            ModelRequest(
                model: Fixtures.url("tiny-gpt2").path, adapter: Fixtures.url("bottleneck/" + folder).path))
        return (GPT2LanguageModel(model: try weights.makeModel(), prefix: weights.adapter?.prefix), weights.adapter)
    }

    /// Greedy and 3-beam search, all prompts as one left-padded batch and each prompt alone, give the ids of
    /// AdapterHub's `generate`.
    @Test(arguments: try table.cases(count: 6) { $0.cases.keys.sorted() })
    func matchesAdapterHub(name: String) throws {
        let doc = try Self.table.value()
        let reference = try #require(doc.cases[name])
        var (model, adapter) = try Self.model(folder: reference.folder)
        #expect(model.model.modelExtension != nil, "\(name): the adapter's modules are not attached")
        for (beams, expected) in [(1, reference.greedy), (3, reference.beam3)] {
            var parameters = GenerateParameters()
            parameters.maxNewTokens = doc.max_new_tokens
            parameters.numBeams = beams
            parameters.eosTokenId = doc.eos_token_id
            let batched = try Generation.generate(&model, prompts: doc.prompts, parameters: parameters)
            #expect(batched.map { $0[0].tokens } == expected, "\(name), \(beams) beam(s), batched")
            for (prompt, want) in zip(doc.prompts, expected) {
                let single = try Generation.generate(&model, prompts: [prompt], parameters: parameters)
                #expect(single[0][0].tokens == want, "\(name), \(beams) beam(s), prompt \(prompt)")
            }
        }
        if name == "mam" { #expect(adapter?.prefix?.shiftsPositions == false) }
    }

    /// AdapterHub's prefix takes no positions: with MAM the model still offers all of n_positions.
    @Test func mamPrefixTakesNoPositions() throws {
        let (model, adapter) = try Self.model(folder: "mam")
        #expect(adapter?.prefix?.length == 5)
        #expect(model.maxSequenceLength == 48)
    }
}
