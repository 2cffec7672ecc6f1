import Foundation
import Testing
import TestSupport

import Datasets

private struct Golden: Decodable {
    struct Plan: Decodable {
        let batch_size: Int
        let seed: UInt64
        let epoch: Int
        let window: Int
        let drop_last: Bool
        let batches: [[Int]]
    }
    let splitmix64_seed0: [String]
    let stream_seed42_epoch3: [String]
    let shuffle_0_to_9_seed7: [Int]
    let lengths: [Int]
    let plans: [Plan]
}

/// Sequences of the given lengths whose prompt is the first half (at least one token).
private func sequences(lengths: [Int]) -> [EncodedSequence] {
    lengths.enumerated().map { i, n in
        EncodedSequence(
            id: "s\(i)", tokens: (0..<n).map { Int32(i * 100 + $0) }, targetStart: max(1, n / 2), truncatedCharacters: 0
        )
    }
}

/// The generator, the shuffle and whole epoch plans equal an independent Python implementation of the
/// documented algorithm (eval/reference/make_batching_golden.py), so the order is the same on every
/// platform and Swift version.
@Test func batchOrderMatchesGolden() throws {
    let golden = try Fixtures.json(Golden.self, "datasets/batching-golden.json")
    var rng = ShuffleRNG(seed: 0)
    #expect((0..<4).map { _ in String(rng.next()) } == golden.splitmix64_seed0)
    var stream = ShuffleRNG(seed: 42, stream: 3)
    #expect((0..<3).map { _ in String(stream.next()) } == golden.stream_seed42_epoch3)
    var shuffled = Array(0..<10)
    var seven = ShuffleRNG(seed: 7)
    seven.shuffle(&shuffled)
    #expect(shuffled == golden.shuffle_0_to_9_seed7)
    #expect(golden.plans.count == 4, "datasets/batching-golden.json holds its four epoch plans")
    for plan in golden.plans {
        let batcher = try Batcher(
            sequences: sequences(lengths: golden.lengths), batchSize: plan.batch_size, seed: plan.seed,
            bucketWindow: plan.window, dropLast: plan.drop_last, padID: 0)
        #expect(batcher.plan(epoch: plan.epoch) == plan.batches, "epoch \(plan.epoch) dropLast \(plan.drop_last)")
    }
}

/// Rows are right-padded with the pad id; the attention mask covers the real tokens and the loss mask
/// exactly the target tokens (never position 0, never padding).
@Test func paddingAndMasks() throws {
    let encoder = try SequenceEncoder(
        template: DatasetTask.e2e.bundledTemplate(), encoder: ByteTokenEncoder(), maxLength: 64, overflow: .reject)
    let pairs = [("a : 1", "One."), ("b : 22 | c : 3", "Two and three."), ("d", "x")]
        .map { TrainingPair(id: $0.0, source: $0.0, target: $0.1) }
    let encoded = try encoder.encodeAll(pairs).sequences
    let batcher = try Batcher(sequences: encoded, batchSize: 3, seed: 1, padID: 999)
    let batch = batcher.assemble([0, 1, 2])
    let longest = encoded.map(\.tokens.count).max() ?? 0
    #expect(batch.batchSize == 3 && batch.length == longest)
    #expect(batch.tokens.count == 3 * longest && batch.lossMask.count == 3 * longest)
    for (b, sequence) in encoded.enumerated() {
        let row = b * batch.length..<(b + 1) * batch.length
        let n = sequence.tokens.count
        #expect(Array(batch.tokens[row].prefix(n)) == sequence.tokens)
        #expect(batch.tokens[row].dropFirst(n).allSatisfy { $0 == 999 })
        #expect(Array(batch.attentionMask[row]) == (0..<batch.length).map { $0 < n ? 1 : 0 })
        #expect(Array(batch.lossMask[row]) == (0..<batch.length).map { $0 >= sequence.targetStart && $0 < n ? 1 : 0 })
        #expect(batch.lossMask[row.lowerBound] == 0)
    }
    let targets = encoded.reduce(0) { $0 + $1.tokens.count - $1.targetStart }
    #expect(batch.targetTokenCount == targets)
}

/// Every epoch serves each sequence exactly once (or drops only the remainder); the same seed gives the
/// same plan, another seed or epoch another one.
@Test func epochsAreDeterministicPermutations() throws {
    let lengths = (0..<103).map { 3 + ($0 * 37) % 41 }
    let data = sequences(lengths: lengths)
    let a = try Batcher(sequences: data, batchSize: 8, seed: 99, bucketWindow: 4)
    let b = try Batcher(sequences: data, batchSize: 8, seed: 99, bucketWindow: 4)
    let c = try Batcher(sequences: data, batchSize: 8, seed: 100, bucketWindow: 4)
    #expect(a.plan(epoch: 0) == b.plan(epoch: 0))
    #expect(a.plan(epoch: 0) != c.plan(epoch: 0))
    #expect(a.plan(epoch: 0) != a.plan(epoch: 1))
    #expect(a.plan(epoch: 1).flatMap { $0 }.sorted() == Array(0..<103))
    #expect(a.plan(epoch: 1).count == a.batchesPerEpoch && a.batchesPerEpoch == 13)
    let dropping = try Batcher(sequences: data, batchSize: 8, seed: 99, bucketWindow: 4, dropLast: true)
    let served = dropping.plan(epoch: 0).flatMap { $0 }
    #expect(served.count == 96 && Set(served).count == 96 && dropping.batchesPerEpoch == 12)
}

/// Length bucketing cuts padding: over an epoch of widely varying lengths, bucketed batches waste far less
/// than batches of a plain shuffle (a window of one batch), and each bucketed batch spans a narrow range.
@Test func bucketingReducesPadding() throws {
    var rng = ShuffleRNG(seed: 5)
    let lengths = (0..<2_000).map { _ in 4 + rng.next(below: 200) }
    let data = sequences(lengths: lengths)
    func longest(_ rows: [Int]) -> Int { rows.map { lengths[$0] }.max() ?? 0 }
    func shortest(_ rows: [Int]) -> Int { rows.map { lengths[$0] }.min() ?? 0 }
    func paddingFraction(_ batcher: Batcher) -> Double {
        var padded = 0
        for rows in batcher.plan(epoch: 0) { padded += rows.count * longest(rows) }
        return 1 - Double(lengths.reduce(0, +)) / Double(padded)
    }
    let bucketed = try Batcher(sequences: data, batchSize: 16, seed: 3, bucketWindow: 50)
    let plain = try Batcher(sequences: data, batchSize: 16, seed: 3, bucketWindow: 1)
    #expect(paddingFraction(bucketed) < 0.05)
    #expect(paddingFraction(plain) > 0.3)
    let spans = bucketed.plan(epoch: 0).map { longest($0) - shortest($0) }
    #expect((spans.max() ?? 0) <= 20)
}

/// A run resumed at a cursor sees exactly the batches an uninterrupted run would have seen from there on.
@Test func resumingAtACursorReplaysTheSameBatches() throws {
    let data = sequences(lengths: (0..<45).map { 2 + $0 % 9 })
    let batcher = try Batcher(sequences: data, batchSize: 4, seed: 2024, bucketWindow: 3)
    let full = Array(batcher.batches(from: BatchCursor(), epochs: 3))
    #expect(full.count == 3 * batcher.batchesPerEpoch)
    let resumeAt = BatchCursor(epoch: 1, index: 5)
    let resumed = Array(batcher.batches(from: resumeAt, epochs: 3))
    let start = try #require(full.firstIndex { $0.cursor == resumeAt })
    #expect(resumed.map { $0.cursor } == full[start...].map { $0.cursor })
    #expect(resumed.map { $0.batch } == full[start...].map { $0.batch })
    #expect(try batcher.batch(at: resumeAt) == full[start].batch)
    #expect(throws: DatasetError.self) { try batcher.batch(at: BatchCursor(epoch: 0, index: batcher.batchesPerEpoch)) }
}

/// Settings that cannot produce batches are rejected with the setting named.
@Test func invalidBatcherSettings() {
    let data = sequences(lengths: [3, 4])
    #expect(throws: DatasetError.self) { try Batcher(sequences: data, batchSize: 0, seed: 1) }
    #expect(throws: DatasetError.self) { try Batcher(sequences: data, batchSize: 2, seed: 1, bucketWindow: 0) }
    #expect(throws: DatasetError.self) { try Batcher(sequences: [], batchSize: 2, seed: 1) }
    #expect(throws: DatasetError.self) { try Batcher(sequences: data, batchSize: 3, seed: 1, dropLast: true) }
}
