import Foundation
import Testing
import TestSupport

import GPT2
import Kernels

/// torch autograd with transformers' four dropout places, their masks drawn by the same hash as LNTune's
/// (eval/reference/make_dropout_fixtures.py): the tiny model, a right-padded batch, a 2-slot prefix,
/// label smoothing 0.1, dropout 0.25.
private struct DropoutFixture: Decodable {
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
    let dropout_rate: Float
    let dropout_key: String
    let mask_check: MaskCheck

    var dropout: DropoutMask? { UInt64(dropout_key, radix: 16).flatMap { DropoutMask(rate: dropout_rate, key: $0) } }
}

/// The masks are the reference's, element for element.
@Test func dropoutMasksMatchTheReference() throws {
    let f = try Fixtures.json(DropoutFixture.self, "gradients/tiny-dropout.json")
    let site = try #require(f.dropout).site(f.mask_check.site_key_code)
    let kept = (0..<f.mask_check.count).map { UInt8(site.keeps($0) ? 1 : 0) }
    #expect(kept == f.mask_check.kept)
}

/// With dropout on, the loss and the gradient of every parameter (the embeddings included, whose gradient
/// passes the embedding dropout) and of the prefix equal torch's within 1e-4 of each tensor's scale.
@Test func backwardWithDropoutMatchesTorchAutograd() throws {
    let model = try TinyModel.load()
    let f = try Fixtures.json(DropoutFixture.self, "gradients/tiny-dropout.json")
    let layout = model.parameters.layout
    let tensors = try f.gradients.keys.map { name in try #require(layout.slot(named: name)).tensor }
    #expect(tensors.count == layout.slots.count)
    let request = GradientRequest(tensors: Set(tensors), prefix: true)
    let batch = try TokenBatch(tokens: f.tokens, mask: f.mask, batchSize: f.batch_size, length: f.length)
    let prefix = PrefixSlots(config: model.config, length: f.prefix_length)
    prefix.base.update(from: f.prefix, count: f.prefix.count)
    let gradients = GPT2Parameters(config: model.config)
    let prefixGradients = PrefixSlots(config: model.config, length: f.prefix_length)

    let result = try model.lossAndGradients(
        batch, labels: f.labels, options: LossOptions(labelSmoothing: f.label_smoothing), prefix: prefix,
        request: request, gradients: gradients, prefixGradients: prefixGradients, dropout: try #require(f.dropout))
    #expect(abs(result.loss - f.loss) <= 1e-5 * max(1, f.loss), "loss \(result.loss), torch \(f.loss)")

    for slot in layout.slots {
        let want = try #require(f.gradients[slot.tensor.huggingFaceName])
        let got = Array(gradients[slot.tensor])
        let error = maxAbsDifference(got, want) / max(want.map { abs($0) }.max() ?? 0, 1e-12)
        #expect(error <= 1e-4, "\(slot.tensor.huggingFaceName): scaled error \(error)")
    }
    let want = f.prefix_gradient
    let error = maxAbsDifference(Array(prefixGradients.buffer), want) / max(want.map { abs($0) }.max() ?? 0, 1e-12)
    #expect(error <= 1e-4, "prefix: scaled error \(error)")

    // Without dropout the same batch gives another loss: the masks were really applied.
    let plain = try model.loss(batch, labels: f.labels, options: LossOptions(labelSmoothing: f.label_smoothing), prefix: prefix)
    #expect(abs(plain.loss - result.loss) > 1e-3)
}
