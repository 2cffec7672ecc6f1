import Foundation
import Testing
import TestSupport

import GPT2
import Kernels

// gradients/tiny-dropout.json is torch autograd with transformers' four dropout places, their masks drawn
// by the same hash as LNTune's (eval/reference/make_dropout_fixtures.py): the tiny model, a right-padded
// batch, a 2-slot prefix, label smoothing 0.1, dropout 0.25.

extension GradientFixture {
    /// The fixture's dropout, nil for a fixture without one.
    var dropout: DropoutMask? {
        guard let dropout_rate, let key = dropout_key.flatMap({ UInt64($0, radix: 16) }) else { return nil }
        return DropoutMask(rate: dropout_rate, key: key)
    }
}

/// The masks are the reference's, element for element.
@Test func dropoutMasksMatchTheReference() throws {
    let f = try Fixtures.json(GradientFixture.self, "gradients/tiny-dropout.json")
    let check = try #require(f.mask_check)
    let site = try #require(f.dropout).site(check.site_key_code)
    let kept = (0..<check.count).map { UInt8(site.keeps($0) ? 1 : 0) }
    #expect(kept == check.kept)
}

/// With dropout on, the loss and the gradient of every parameter (the embeddings included, whose gradient
/// passes the embedding dropout) and of the prefix equal torch's within 1e-4 of each tensor's scale.
@Test func backwardWithDropoutMatchesTorchAutograd() throws {
    let model = try TinyModel.load()
    let f = try Fixtures.json(GradientFixture.self, "gradients/tiny-dropout.json")
    let layout = model.parameters.layout
    let tensors = try f.gradients.keys.map { name in try #require(layout.slot(named: name)).tensor }
    #expect(tensors.count == layout.slots.count)
    let request = GradientRequest(tensors: Set(tensors), prefix: true)
    let batch = try f.batch()
    let prefix = f.prefixSlots(config: model.config)
    let gradients = GPT2Parameters(config: model.config)
    let prefixGradients = PrefixSlots(config: model.config, length: f.prefix_length)

    let result = try model.lossAndGradients(
        batch, labels: f.labels, options: LossOptions(labelSmoothing: f.label_smoothing), prefix: prefix,
        request: request, gradients: gradients, prefixGradients: prefixGradients, dropout: try #require(f.dropout))
    #expect(abs(result.loss - f.loss) <= 1e-5 * max(1, f.loss), "loss \(result.loss), torch \(f.loss)")

    for slot in layout.slots {
        let want = try #require(f.gradients[slot.tensor.huggingFaceName])
        let got = Array(gradients[slot.tensor])
        let error = scaledError(got, want)
        #expect(error <= 1e-4, "\(slot.tensor.huggingFaceName): scaled error \(error)")
    }
    let error = scaledError(Array(prefixGradients.buffer), f.prefix_gradient)
    #expect(error <= 1e-4, "prefix: scaled error \(error)")

    // Without dropout the same batch gives another loss: the masks were really applied.
    let plain = try model.loss(
        batch, labels: f.labels, options: LossOptions(labelSmoothing: f.label_smoothing), prefix: prefix)
    #expect(abs(plain.loss - result.loss) > 1e-3)
}
