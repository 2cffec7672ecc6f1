import Testing
import TestSupport

import Kernels

private struct AdamWFixture: Decodable {
    let learning_rate: Double, beta1: Float, beta2: Float, epsilon: Float, weight_decay: Float
    let initial: [Float], gradients: [[Float]], after_step: [[Float]]
}

/// Three AdamW steps match torch.optim.AdamW (fixture written by eval/reference/make_forward_fixtures.py)
/// on the trained range, and leave the elements outside the given ranges bit-identical.
@Test func adamWMatchesTorch() throws {
    let f = try Fixtures.json(AdamWFixture.self, "gradients/adamw.json")
    let n = f.initial.count
    #expect(f.gradients.count == 3 && f.after_step.count == 3, "gradients/adamw.json holds the three steps")
    let optimizer = AdamW(
        learningRate: f.learning_rate, beta1: f.beta1, beta2: f.beta2, epsilon: f.epsilon, weightDecay: f.weight_decay)
    // The fixture tensor sits between two frozen stretches of a larger buffer.
    let pad = 5
    let frozen = (0..<pad).map { Float($0) + 0.5 }
    let params = TestBuffer(frozen + f.initial + frozen)
    let m = TestBuffer<Float>(zeros: params.count), v = TestBuffer<Float>(zeros: params.count)
    var worst: Float = 0
    for (step, (grad, expected)) in zip(f.gradients, f.after_step).enumerated() {
        let grads = TestBuffer(frozen + grad + frozen)
        optimizer.update(
            parameters: params.pointer, gradients: grads.readOnly, firstMoment: m.pointer, secondMoment: v.pointer,
            ranges: [pad..<(pad + n)], step: step + 1)
        let got = Array(params.array[pad..<(pad + n)])
        for (a, b) in zip(got, expected) { worst = max(worst, abs(a - b) / max(abs(b), 1e-3)) }
    }
    #expect(worst < 1e-5, "worst relative difference \(worst)")
    #expect(Array(params.array[0..<pad]) == frozen)
    #expect(Array(params.array[(pad + n)...]) == frozen)
    #expect(m[0] == 0 && v[params.count - 1] == 0)
}
