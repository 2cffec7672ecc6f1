import Foundation
import Testing
import TestSupport

import GPT2

/// Which gradients a case asks for.
enum RequestCase: String, CaseIterable, CustomStringConvertible {
    case everythingInFixture, layerNormsOnly, prefixOnly, upperLayerOnly, embeddingsOnly
    var description: String { rawValue }
}

/// The gradients of every requested tensor (LayerNorms, biases, whole matrices including the tied
/// embedding, the prefix keys/values) equal torch's within 1e-4 of each tensor's scale, whatever subset is
/// requested, and gradient entries of tensors not requested are never written.
@Test(arguments: RequestCase.allCases)
func backwardMatchesTorchAutograd(_ which: RequestCase) throws {
    let model = try TinyModel.load()
    let f = try Fixtures.json(GradientFixture.self, "gradients/tiny.json")
    let layout = model.parameters.layout
    let fixtureTensors = try f.gradients.keys.map { name in try #require(layout.slot(named: name)).tensor }
    let request: GradientRequest
    switch which {
    case .everythingInFixture: request = GradientRequest(tensors: Set(fixtureTensors), prefix: true)
    case .layerNormsOnly: request = .layerNorms(model.config)
    case .prefixOnly: request = .prefixOnly
    case .upperLayerOnly:
        request = GradientRequest(tensors: [.block(1, .mlpProjWeight), .block(1, .ln2Bias), .finalNormBias])
    case .embeddingsOnly: request = GradientRequest(tensors: [.tokenEmbedding, .positionEmbedding])
    }
    let batch = try f.batch()
    let prefix = f.prefixSlots(config: model.config)
    let gradients = GPT2Parameters(config: model.config)
    let sentinel: Float = 7
    gradients.base.update(repeating: sentinel, count: gradients.count)
    request.zero(gradients)
    let prefixGradients = PrefixSlots(config: model.config, length: f.prefix_length)

    let result = try model.lossAndGradients(
        batch, labels: f.labels, options: LossOptions(labelSmoothing: f.label_smoothing), prefix: prefix,
        request: request, gradients: gradients, prefixGradients: prefixGradients)
    #expect(abs(result.loss - f.loss) <= 1e-5 * max(1, f.loss))

    var compared = 0
    for slot in layout.slots {
        let got = Array(gradients[slot.tensor])
        if request.contains(slot.tensor) {
            guard let want = f.gradients[slot.tensor.huggingFaceName] else { continue }
            let error = scaledError(got, want)
            #expect(error <= 1e-4, "\(slot.tensor.huggingFaceName): scaled error \(error)")
            compared += 1
        } else {
            #expect(got.allSatisfy { $0 == sentinel }, "\(slot.tensor.huggingFaceName) was written but not requested")
        }
    }
    if request.prefix {
        let error = scaledError(Array(prefixGradients.buffer), f.prefix_gradient)
        #expect(error <= 1e-4, "prefix: scaled error \(error)")
    } else {
        #expect(prefixGradients.buffer.allSatisfy { $0 == 0 })
    }
    #expect(compared > 0 || request.tensors.isEmpty)
}

/// Gradients add into the buffer: two identical backward passes give twice one pass.
@Test func backwardAccumulates() throws {
    let model = try TinyModel.load()
    let f = try Fixtures.json(GradientFixture.self, "gradients/tiny.json")
    let batch = try f.batch()
    let request = GradientRequest.layerNorms(model.config)
    let once = GPT2Parameters(config: model.config), twice = GPT2Parameters(config: model.config)
    _ = try model.lossAndGradients(batch, labels: f.labels, request: request, gradients: once)
    for _ in 0..<2 { _ = try model.lossAndGradients(batch, labels: f.labels, request: request, gradients: twice) }
    for r in request.ranges(in: once.layout) {
        for i in r { #expect(abs(twice.base[i] - 2 * once.base[i]) <= 1e-6 * max(1, abs(once.base[i]))) }
    }
}
