import Decoding
import Foundation
import GPT2
import TestSupport
import Testing

/// Decoding parity with transformers 5 `generate` (Tests/Fixtures/generate/*.json): token ids, EOS status and
/// scores, prompt by prompt and in left-padded batches.
@Suite struct GenerateParityTests {
    /// Runs every batch of `caseName` through `makeModel()` and compares with the fixture.
    /// `singleLimit` caps the prompt-by-prompt runs (the batched runs always cover every prompt).
    static func check<Model: CausalLanguageModel>(
        _ fixture: GenerateFixture, caseName: String, singleLimit: Int = .max, makeModel: () throws -> Model
    ) throws {
        let testCase = try fixture.case(caseName)
        for (mode, batches) in [("single", Array(testCase.single.prefix(singleLimit))), ("batched", testCase.batched)] {
            for (index, batch) in batches.enumerated() {
                var model = try makeModel()
                let got = try Generation.generate(&model, prompts: batch.prompts, parameters: testCase.parameters)
                try #require(got.count == batch.outputs.count)
                for (p, (mine, theirs)) in zip(got, batch.outputs).enumerated() {
                    let place = "\(fixture.model) \(caseName) \(mode) batch \(index) prompt \(p) \(batch.prompts[p])"
                    #expect(mine.map(\.tokens) == theirs.map(\.tokens), "\(place)")
                    #expect(mine.map(\.endedWithEOS) == theirs.map(\.endedWithEOS), "\(place)")
                    for (a, b) in zip(mine, theirs) {
                        #expect(
                            abs(a.score - b.score) <= 1e-4 * max(1, abs(b.score)), "\(place): \(a.score) vs \(b.score)")
                    }
                }
            }
        }
    }

    /// The synthetic fixture is readable and covers every decoding mode it promises.
    @Test func syntheticFixtureLoads() throws {
        let fixture = try GenerateFixture.load("synthetic")
        #expect(fixture.vocabSize == SyntheticModel.vocabulary)
        #expect(fixture.eosTokenId == SyntheticModel.eos)
        #expect(fixture.cases.count == 13)
        #expect(fixture.cases.contains { $0.parameters.numBeams > 1 && $0.parameters.numReturnSequences > 1 })
        #expect(fixture.cases.allSatisfy { $0.single.count >= 20 && !$0.batched.isEmpty })
    }

    /// Decoding logic alone: the synthetic model (a hash of the history, reimplemented bit for bit) decodes to
    /// transformers' outputs in every case.
    @Test(arguments: try GenerateFixture.caseNames("synthetic", count: 13))
    func syntheticMatchesTransformers(caseName: String) throws {
        try Self.check(try GenerateFixture.load("synthetic"), caseName: caseName) { SyntheticModel() }
    }

    /// Loaded once; a load error is kept and thrown in the test, naming the file.
    static let tinyModel = Result {
        try GPT2Model(checkpoint: GPT2Checkpoint.load(directory: Fixtures.url("tiny-gpt2")))
    }

    /// End to end: the tiny GPT-2 checkpoint through `GPT2LanguageModel` (KV cache, left padding, beam reorder)
    /// decodes to what transformers' `GPT2LMHeadModel.generate` produced — every prompt in left-padded batches,
    /// and the first 8 (lengths 1, 2, 3, 12, …) alone; the decoding logic itself is covered prompt by prompt above.
    @Test(arguments: try GenerateFixture.caseNames("tiny-gpt2", count: 15))
    func tinyGPT2MatchesTransformers(caseName: String) throws {
        let model = try Self.tinyModel.get()
        try Self.check(try GenerateFixture.load("tiny-gpt2"), caseName: caseName, singleLimit: 8) {
            GPT2LanguageModel(model: model)
        }
    }
}
