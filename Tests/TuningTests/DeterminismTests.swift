import Foundation
import GPT2
import Testing
import TestSupport
import Tuning
import WorkerThreads

/// A random GPT-2 large enough for the parallel paths: shards of 4 rows × ~140 tokens make two row blocks in
/// the products, n_embd 192 makes two column blocks in the fused qkv and MLP products, and the LayerNorm and
/// attention loops go parallel. (The committed tiny checkpoint is so small that everything runs inline.)
private enum Wide {
    static let config = GPT2Config(vocabSize: 700, nPositions: 192, nEmbd: 192, nLayer: 2, nHead: 4)
    static let parameters = GPT2Parameters.random(config: config, seed: 5)

    static func model() throws -> GPT2Model {
        try GPT2Model(config: config, parameters: parameters.copy())
    }

    /// Two micro-batches: 8 rows (two shards) and 5 rows (a shard of 4 and one of 1).
    static func batches() throws -> [TrainingBatch] {
        [
            try randomBatch([150, 131, 96, 142, 60, 149, 120, 77], seed: 41, vocab: 700),
            try randomBatch([88, 140, 12, 133, 101], seed: 42, vocab: 700),
        ]
    }
}

private func options(dropout: Float = 0) -> TunerOptions {
    TunerOptions(
        schedule: LearningRateSchedule(peak: 1e-2, shape: .constant, totalSteps: 10), seed: 9, dropout: dropout)
}

/// Everything two steps leave behind, as bits: the trained values, the losses and gradient norms.
private func trainBits(_ method: String, threads: Int, dropout: Float = 0) throws -> [UInt32] {
    try WorkerThreads.with(count: threads) {
        let tuner = try Tuner(
            model: try Wide.model(), method: try TuningMethods.defaults(named: method).method,
            options: options(dropout: dropout))
        var out: [UInt32] = []
        for _ in 0..<2 {
            let result = try tuner.step(batches: try Wide.batches())
            let loss = result.loss.bitPattern
            out += [
                UInt32(truncatingIfNeeded: loss), UInt32(truncatingIfNeeded: loss >> 32),
                result.gradientNorm.bitPattern,
            ]
        }
        for segment in tuner.segments { out += bits(segment.valueBuffer) }
        return out
    }
}

/// Training steps give the same bits on 1, 2 and 3 threads, for LN-Tuning, Prefix-Tuning with LN-Tuning,
/// full fine-tuning, LoRA and the bottleneck adapters (with dropout on for some: GPT-2's masks and the
/// hook-point module's are keyed by shard, not by thread).
@Test(arguments: [
    ("ln", Float(0)), ("prefix+ln", 0), ("full", 0), ("prefix+ln", 0.1), ("lora", 0), ("lora+ln", 0.1),
    ("adapter", 0), ("par-adapter", 0), ("mam+ln", 0.1),
])
func trainingStepsAreTheSameOnAnyThreadCount(method: String, dropout: Float) throws {
    let reference = try trainBits(method, threads: 1, dropout: dropout)
    for threads in [2, 3] {
        let other = try trainBits(method, threads: threads, dropout: dropout)
        #expect(other == reference, "\(method): \(zip(other, reference).filter { $0 != $1 }.count) values differ")
    }
}

/// The contract a multi-process run relies on: computing each shard's gradient on its own (as another
/// process would) and adding them in shard order, then `applyStep`, gives the bits of `step`.
@Test func stepIsTheInOrderSumOfIndependentShardGradients() throws {
    let method = try TuningMethods.defaults(named: "prefix+ln").method
    let whole = try Tuner(model: try Wide.model(), method: method, options: options(dropout: 0.1))
    let pieces = try Tuner(model: try Wide.model(), method: method, options: options(dropout: 0.1))
    let batches = try Wide.batches()
    let expected = try whole.step(batches: batches)

    let shards = try GradientShards.split(batches, ignoreIndex: -100)
    #expect(shards.map(\.tokens.batchSize) == [4, 4, 4, 1])
    let gradients = try shards.enumerated().map { i, shard in
        let g = pieces.makeShardGradient()
        try pieces.computeGradient(of: shard, index: i, into: g)
        return g
    }
    let total = pieces.makeShardGradient()
    pieces.add(gradients[0], into: total)  // 0 + g₀ = g₀ exactly
    for g in gradients.dropFirst() { pieces.add(g, into: total) }
    let result = try pieces.applyStep(total)
    #expect(result.loss.bitPattern == expected.loss.bitPattern)
    #expect(result.gradientNorm.bitPattern == expected.gradientNorm.bitPattern)
    #expect(result.targetTokens == expected.targetTokens && result.sequences == 13)
    for (a, b) in zip(whole.segments, pieces.segments) {
        #expect(bits(a.valueBuffer) == bits(b.valueBuffer), "\(a.name)")
    }
}

/// Shards are cut from their micro-batch and lose the padding none of their rows uses, so two micro-batches
/// of 4 rows and one micro-batch of the same 8 rows (padded to the longest of all) train to the same bits.
@Test func accumulationOfWholeShardsIsBitIdenticalToOneBatch() throws {
    let lengths = [150, 131, 96, 142, 60, 49, 120, 77]
    let big = try randomBatch(lengths, seed: 3, vocab: 700)
    let halves = try [0..<4, 4..<8].map { rows in
        let rowsTokens = rows.map { b in Array(big.tokens.tokens[(b * 150)..<(b * 150 + lengths[b])]) }
        let tokens = try TokenBatch(rows: rowsTokens, padding: .right)
        let labels = rows.flatMap { b in
            Array(big.labels[(b * 150)..<(b * 150 + lengths[b])])
                + [Int32](repeating: -100, count: tokens.length - lengths[b])
        }
        return TrainingBatch(tokens: tokens, labels: labels)
    }
    #expect(halves[1].tokens.length == 120 && big.tokens.length == 150)
    let method = try TuningMethods.defaults(named: "ln").method
    let one = try Tuner(model: try Wide.model(), method: method, options: options())
    let two = try Tuner(model: try Wide.model(), method: method, options: options())
    let a = try one.step(batches: [big])
    let b = try two.step(batches: halves)
    #expect(a.loss.bitPattern == b.loss.bitPattern && a.gradientNorm.bitPattern == b.gradientNorm.bitPattern)
    for (x, y) in zip(one.segments, two.segments) { #expect(bits(x.valueBuffer) == bits(y.valueBuffer), "\(x.name)") }
}

/// A shard keeps its rows' tokens, mask and labels, and drops only trailing columns that are padding with no
/// label in every one of its rows; labels that do not fit their batch are an error naming the micro-batch.
@Test func shardsKeepTheirRowsAndDropOnlyUnusedPadding() throws {
    let batch = try randomBatch([3, 9, 4, 5, 2, 6], seed: 8)
    let shards = try GradientShards.split([batch], ignoreIndex: -100)
    #expect(shards.map(\.tokens.batchSize) == [4, 2] && shards.map(\.tokens.length) == [9, 6])
    for (s, rows) in zip(shards, [0..<4, 4..<6]) {
        for (i, b) in rows.enumerated() {
            let length = s.tokens.length
            #expect(
                Array(s.tokens.tokens[(i * length)..<((i + 1) * length)])
                    == Array(batch.tokens.tokens[(b * 9)..<(b * 9 + length)]))
            #expect(
                Array(s.tokens.mask[(i * length)..<((i + 1) * length)])
                    == Array(batch.tokens.mask[(b * 9)..<(b * 9 + length)]))
            #expect(
                Array(s.labels[(i * length)..<((i + 1) * length)]) == Array(batch.labels[(b * 9)..<(b * 9 + length)]))
        }
    }
    // Column 2 is padding in both rows; a label there (which scores position 1) keeps it.
    let tokens = try TokenBatch(tokens: [1, 2, 0, 3, 4, 0], mask: [1, 1, 0, 1, 1, 0], batchSize: 2, length: 3)
    let unlabelled = TrainingBatch(tokens: tokens, labels: [-100, 2, -100, -100, 4, -100])
    let labelled = TrainingBatch(tokens: tokens, labels: [-100, 2, 7, -100, 4, -100])
    #expect(try GradientShards.split([unlabelled], ignoreIndex: -100)[0].tokens.length == 2)
    #expect(try GradientShards.split([labelled], ignoreIndex: -100)[0].tokens.length == 3)
    var short = batch
    short.labels.removeLast()
    #expect(throws: TuningError.self) { try GradientShards.split([batch, short], ignoreIndex: -100) }
    do {
        _ = try GradientShards.split([batch, short], ignoreIndex: -100)
    } catch {
        #expect("\(error)".contains("micro-batch 1"), "\(error)")
    }
}
