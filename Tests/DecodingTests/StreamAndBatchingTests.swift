import Decoding
import Testing

/// Streaming yields what `generate` returns, and the decoders use the model as the protocol promises:
/// one prefill, beams fanned out by `reorderCache`, finished rows dropped, identity reorders skipped.
@Suite struct StreamAndBatchingTests {
    static func parameters(_ edit: (inout GenerateParameters) -> Void = { _ in }) -> GenerateParameters {
        var p = GenerateParameters()
        p.eosTokenId = SyntheticModel.eos
        p.maxNewTokens = 24
        edit(&p)
        return p
    }

    static let prompts = [[3, 17, 22], [8], [40, 41, 42, 43, 44, 45], [5, 5, 5, 5], [12, 1]]

    /// Token by token (synchronously and as an AsyncSequence), the stream equals the generated sequence, and
    /// its final result carries the same score.
    @Test(arguments: [false, true])
    func streamEqualsGenerate(sample: Bool) async throws {
        let p = Self.parameters {
            $0.doSample = sample; $0.seed = 9
        }
        for prompt in Self.prompts {
            var model = SyntheticModel()
            let expected = try Generation.generate(&model, prompts: [prompt], parameters: p)[0][0]
            var stream = try Generation.stream(SyntheticModel(), prompt: prompt, parameters: p)
            var tokens: [Int] = []
            while let token = try stream.nextToken() { tokens.append(token) }
            #expect(tokens == expected.tokens)
            #expect(stream.result == expected)
            #expect(try stream.nextToken() == nil)
            var asyncTokens: [Int] = []
            for try await token in try Generation.stream(SyntheticModel(), prompt: prompt, parameters: p) {
                asyncTokens.append(token)
            }
            #expect(asyncTokens == expected.tokens)
        }
    }

    /// Beam search cannot stream; it says so.
    @Test func streamRejectsBeams() {
        #expect(throws: GenerationError.self) {
            _ = try Generation.stream(SyntheticModel(), prompt: [1], parameters: Self.parameters { $0.numBeams = 2 })
        }
    }

    /// Greedy: rows that produced EOS leave the batch (fewer row evaluations than rows × steps), and a step
    /// where no row finished does not reorder.
    @Test func greedyDropsFinishedRows() throws {
        var model = SyntheticModel()
        let results = try Generation.generate(&model, prompts: Self.prompts, parameters: Self.parameters())
        let lengths = results.map { $0[0].tokens.count + ($0[0].endedWithEOS ? 1 : 0) }
        try #require(results.contains { $0[0].endedWithEOS })
        // Each row is evaluated once in prefill and once per token it fed back (its last token is not fed).
        #expect(model.rowEvaluations == lengths.reduce(0) { $0 + $1 })
        #expect(model.prefillCalls == 1)
        #expect(model.reorderCalls == Set(lengths.filter { $0 < (lengths.max() ?? 0) }).count)
    }

    /// Beam search prefills each prompt once and fans it out to its beams on the first reorder.
    @Test func beamSearchPrefillsOnce() throws {
        var model = SyntheticModel()
        _ = try Generation.generate(&model, prompts: Self.prompts, parameters: Self.parameters { $0.numBeams = 4 })
        #expect(model.prefillCalls == 1)
        #expect(model.rowEvaluations >= Self.prompts.count + 4 * Self.prompts.count)
    }

    /// `num_return_sequences` samples share one prefill per prompt.
    @Test func samplingCopiesShareThePrefill() throws {
        var model = SyntheticModel()
        let out = try Generation.generate(
            &model, prompts: [[1, 2], [3]],
            parameters: Self.parameters {
                $0.doSample = true; $0.numReturnSequences = 5
            })
        #expect(out.map(\.count) == [5, 5])
        #expect(model.prefillCalls == 1)
        #expect(model.reorderCalls >= 1)
    }
}
