import Foundation
import TestSupport

import GPT2

/// One padded batch written by eval/reference/make_forward_fixtures.py: transformers' logits at the real
/// positions and its shifted-label losses.
struct ForwardCase: Decodable {
    struct Losses: Decodable {
        let mean: Double
        let sum: Double
        let per_sequence: [Double]
    }
    let batch_size: Int
    let length: Int
    let tokens: [Int32]
    let mask: [UInt8]
    let labels: [Int32]
    let logit_positions: [Int]
    let logits: [Float]
    let losses: [String: Losses]

    func batch() throws -> TokenBatch {
        try TokenBatch(tokens: tokens, mask: mask, batchSize: batch_size, length: length)
    }
}

struct PrefixFixture: Decodable {
    let prefix_length: Int
    let prefix: [Float]
    let right: ForwardCase
    let left: ForwardCase

    func slots(config: GPT2Config) -> PrefixSlots {
        let slots = PrefixSlots(config: config, length: prefix_length)
        slots.base.update(from: prefix, count: prefix.count)
        return slots
    }
}

enum TinyModel {
    /// The committed tiny checkpoint as a model.
    static func load() throws -> GPT2Model {
        try GPT2Model(checkpoint: GPT2Checkpoint.load(directory: Fixtures.url("tiny-gpt2")))
    }
}
