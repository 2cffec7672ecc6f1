import Decoding
import Testing

/// Decoding parity with transformers 5 `generate` on the synthetic model (Tests/Fixtures/generate/synthetic.json).
@Suite struct GenerateParityTests {
    static let fixtureName = "synthetic"

    /// The fixture is readable and covers every decoding mode it promises.
    @Test func fixtureLoads() throws {
        let fixture = try GenerateFixture.load(Self.fixtureName)
        #expect(fixture.vocabSize == SyntheticModel.vocabulary)
        #expect(fixture.eosTokenId == SyntheticModel.eos)
        #expect(fixture.cases.count >= 10)
        #expect(fixture.cases.contains { $0.parameters.numBeams > 1 && $0.parameters.numReturnSequences > 1 })
    }

    /// For every case, each prompt alone and each left-padded batch decodes to transformers' token ids, EOS
    /// status and score (beam: `sequences_scores`; greedy: summed processed log-probabilities).
    @Test(arguments: GenerateFixture.caseNames(fixtureName))
    func matchesTransformers(caseName: String) throws {
        let fixture = try GenerateFixture.load(Self.fixtureName)
        let testCase = try fixture.case(caseName)
        for (mode, batches) in [("single", testCase.single), ("batched", testCase.batched)] {
            for (index, batch) in batches.enumerated() {
                var model = SyntheticModel()
                let got = try Generation.generate(&model, prompts: batch.prompts, parameters: testCase.parameters)
                try #require(got.count == batch.outputs.count)
                for (p, (mine, theirs)) in zip(got, batch.outputs).enumerated() {
                    let where_ = "\(caseName) \(mode) batch \(index) prompt \(p) \(batch.prompts[p])"
                    #expect(mine.map(\.tokens) == theirs.map(\.tokens), "\(where_)")
                    #expect(mine.map(\.endedWithEOS) == theirs.map(\.endedWithEOS), "\(where_)")
                    for (a, b) in zip(mine, theirs) {
                        #expect(abs(a.score - b.score) <= 1e-4 * max(1, abs(b.score)), "\(where_): \(a.score) vs \(b.score)")
                    }
                }
            }
        }
    }
}
