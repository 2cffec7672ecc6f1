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

/// torch autograd loss and gradients of one right-padded batch with a trainable prefix
/// (gradients/tiny.json from make_forward_fixtures.py; gradients/tiny-dropout.json from
/// make_dropout_fixtures.py adds the dropout rate, key and a mask sample).
struct GradientFixture: Decodable {
    struct MaskCheck: Decodable {
        let site_key_code: Int
        let count: Int
        let kept: [UInt8]
    }
    let batch_size: Int, length: Int
    let tokens: [Int32], mask: [UInt8], labels: [Int32]
    let label_smoothing: Float
    let loss: Double
    let prefix_length: Int
    let prefix: [Float], prefix_gradient: [Float]
    let gradients: [String: [Float]]
    let dropout_rate: Float?
    let dropout_key: String?
    let mask_check: MaskCheck?

    func batch() throws -> TokenBatch {
        try TokenBatch(tokens: tokens, mask: mask, batchSize: batch_size, length: length)
    }

    func prefixSlots(config: GPT2Config) -> PrefixSlots {
        let slots = PrefixSlots(config: config, length: prefix_length)
        slots.base.update(from: prefix, count: prefix.count)
        return slots
    }
}

/// max |got − want| / max |want|: the error relative to the tensor's scale.
func scaledError(_ got: [Float], _ want: [Float]) -> Float {
    maxAbsDifference(got, want) / max(want.map { abs($0) }.max() ?? 0, 1e-12)
}

enum TinyModel {
    /// The committed tiny checkpoint as a model.
    static func load() throws -> GPT2Model {
        try GPT2Model(checkpoint: GPT2Checkpoint.load(directory: Fixtures.url("tiny-gpt2")))
    }
}
