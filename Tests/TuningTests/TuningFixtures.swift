import Foundation
import GPT2
import TestSupport
import Tuning

/// The committed tiny checkpoint, loaded fresh (tuners write into their model's parameters, so every test
/// gets its own copy).
enum Tiny {
    static func checkpoint() throws -> GPT2Checkpoint { try GPT2Checkpoint.load(directory: Fixtures.url("tiny-gpt2")) }
    static func model() throws -> GPT2Model { try GPT2Model(checkpoint: checkpoint()) }
    static var config: GPT2Config { GPT2Config(vocabSize: 307, nPositions: 48, nEmbd: 32, nLayer: 2, nHead: 4) }
}

/// A right-padded micro-batch as the fixtures store it.
struct FixtureBatch: Decodable {
    let batch_size: Int, length: Int
    let tokens: [Int32], mask: [UInt8], labels: [Int32]

    var training: TrainingBatch {
        get throws {
            TrainingBatch(
                tokens: try TokenBatch(tokens: tokens, mask: mask, batchSize: batch_size, length: length),
                labels: labels)
        }
    }
}

/// Deterministic random training batches: `rows` right-padded rows of the given lengths, labels masking
/// padding and each row's first token.
func randomBatch(_ lengths: [Int], seed: UInt64, vocab: Int = 307) throws -> TrainingBatch {
    var random = SeededRandom(seed: seed)
    let rows = lengths.map { n in (0..<n).map { _ in Int32.random(in: 0..<Int32(vocab), using: &random) } }
    let tokens = try TokenBatch(rows: rows, padding: .right)
    var labels = [Int32](repeating: -100, count: tokens.tokens.count)
    for (b, row) in rows.enumerated() {
        for t in 1..<row.count { labels[b * tokens.length + t] = row[t] }
    }
    return TrainingBatch(tokens: tokens, labels: labels)
}

/// Bit patterns of a buffer, for exact comparisons that also tell -0 from 0 and NaN payloads apart.
func bits(_ values: UnsafeMutableBufferPointer<Float>) -> [UInt32] { values.map(\.bitPattern) }
func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

/// max |a − b| / max(max |b|, tiny): the error relative to the tensor's scale.
func scaledError(_ got: [Float], _ want: [Float]) -> Float {
    guard got.count == want.count else { return .infinity }
    return maxAbsDifference(got, want) / max(want.map { abs($0) }.max() ?? 0, 1e-12)
}
