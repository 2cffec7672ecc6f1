import Foundation
import Testing
import TestSupport

import GPT2

/// Right- and left-padded batches through the tiny model give transformers' logits (eager attention,
/// float32) within 1e-4 at every real position, with positions derived from the mask as `generate` does.
@Test(arguments: ["right", "left"])
func forwardLogitsMatchTransformers(side: String) throws {
    let model = try TinyModel.load()
    let fixture = try Fixtures.json([String: ForwardCase].self, "forward/padded.json")
    let c = try #require(fixture[side])
    let logits = try model.logits(c.batch(), rows: .positions(c.logit_positions))
    #expect(logits.positions == c.logit_positions)
    let diff = maxAbsDifference(logits.values, c.logits)
    #expect(diff <= 1e-4, "max |Δlogit| = \(diff)")
}

/// The shifted-label cross-entropy (mean, sum, per sequence; with and without label smoothing) equals
/// torch's `cross_entropy` on transformers' logits.
@Test(arguments: ["right", "left"])
func forwardLossesMatchTorch(side: String) throws {
    let model = try TinyModel.load()
    let fixture = try Fixtures.json([String: ForwardCase].self, "forward/padded.json")
    let c = try #require(fixture[side])
    for (key, expected) in c.losses {
        let eps = try #require(Float(key))
        let mean = try model.loss(c.batch(), labels: c.labels, options: LossOptions(labelSmoothing: eps))
        let sum = try model.loss(
            c.batch(), labels: c.labels, options: LossOptions(reduction: .sum, labelSmoothing: eps))
        #expect(abs(mean.loss - expected.mean) <= 1e-4 * max(1, expected.mean), "ε=\(key) mean")
        #expect(abs(sum.loss - expected.sum) <= 1e-4 * max(1, expected.sum), "ε=\(key) sum")
        for (got, want) in zip(mean.sequenceLosses, expected.per_sequence) {
            #expect(abs(got - want) <= 1e-4 * max(1, want), "ε=\(key) per sequence")
        }
    }
}

/// `.last` picks position T−1 of every row and `.lastReal` the last unpadded token; both agree with the
/// corresponding rows of a full forward (up to BLAS rounding, which depends on the row count).
@Test func logitRowSelection() throws {
    let model = try TinyModel.load()
    let fixture = try Fixtures.json([String: ForwardCase].self, "forward/padded.json")
    let right = try #require(fixture["right"])
    let batch = try right.batch()
    let all = try model.logits(batch, rows: .all)
    let lastReal = try model.logits(batch, rows: .lastReal)
    let v = model.config.vocabSize
    for (i, position) in lastReal.positions.enumerated() {
        #expect(
            batch.mask[position] == 1 && (position % batch.length == batch.length - 1 || batch.mask[position + 1] == 0))
        #expect(
            maxAbsDifference(Array(lastReal[row: i]), Array(all.values[(position * v)..<((position + 1) * v)])) < 1e-5)
    }
    let last = try model.logits(batch, rows: .last)
    #expect(last.positions == (0..<batch.batchSize).map { $0 * batch.length + batch.length - 1 })
}

/// Inputs the model cannot run on are reported, not crashed on.
@Test func invalidInputsThrow() throws {
    let model = try TinyModel.load()
    let tooLong = try TokenBatch(tokens: [Int32](repeating: 1, count: 49), batchSize: 1, length: 49)
    #expect(throws: GPT2Error.self) { try model.logits(tooLong) }
    let badToken = try TokenBatch(tokens: [1, 307], batchSize: 1, length: 2)
    #expect(throws: GPT2Error.self) { try model.logits(badToken) }
    let ok = try TokenBatch(tokens: [1, 2], batchSize: 1, length: 2)
    #expect(throws: GPT2Error.self) { try model.loss(ok, labels: [1]) }
    #expect(throws: GPT2Error.self) { try model.loss(ok, labels: [1, 999]) }
    #expect(throws: GPT2Error.self) { try TokenBatch(tokens: [1, 2, 3], batchSize: 2, length: 2) }
}

/// The folder named by `LNTUNE_GPT2_SMALL_FIXTURE`, or nil.
private let gpt2SmallFixture = ProcessInfo.processInfo.environment["LNTUNE_GPT2_SMALL_FIXTURE"]

/// A GPT-2-small-sized random model (written outside the repository by
/// `make_forward_fixtures.py --full-size DIR`, found through `LNTUNE_GPT2_SMALL_FIXTURE=DIR`) gives
/// transformers' logits within 1e-4 on a left-padded batch. The ~500 MB model is not committed, so the test
/// is skipped, and reported as skipped with this reason, when the variable is unset.
@Test(
    .enabled(
        if: gpt2SmallFixture != nil,
        "set LNTUNE_GPT2_SMALL_FIXTURE to a folder written by eval/reference/make_forward_fixtures.py --full-size"))
func fullSizeForwardMatchesTransformers() throws {
    let url = URL(fileURLWithPath: try #require(gpt2SmallFixture))
    let model = try GPT2Model(checkpoint: GPT2Checkpoint.load(directory: url))
    struct Expected: Decodable {
        let batch_size: Int, length: Int, tokens: [Int32], mask: [UInt8], logit_positions: [Int], logits: [Float]
    }
    let e = try JSONDecoder().decode(
        Expected.self, from: Data(contentsOf: url.appendingPathComponent("expected_logits.json")))
    let batch = try TokenBatch(tokens: e.tokens, mask: e.mask, batchSize: e.batch_size, length: e.length)
    let logits = try model.logits(batch, rows: .positions(e.logit_positions))
    let diff = maxAbsDifference(logits.values, e.logits)
    print("GPT-2 small (random init) max |Δlogit| vs transformers: \(diff)")
    #expect(diff <= 1e-4, "max |Δlogit| = \(diff)")
}
