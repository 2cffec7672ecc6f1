import Foundation
import Testing
import TestSupport

import Kernels

/// Cross-entropy equals torch's definition with label smoothing (q = (1−ε)·onehot + ε/V), its fused
/// gradient equals central differences of Σ scale·loss, and writing the gradient over the logits in place
/// gives the same result.
@Test(arguments: [Float(0), 0.1])
func crossEntropyLossAndGradient(labelSmoothing eps: Float) {
    let (m, v) = (4, 37)
    var rng = SeededRandom(seed: 51)
    let logits = TestBuffer(rng.normals(m * v, std: 3))
    let targets = TestBuffer<Int32>([3, 36, 0, 17])
    let scale = TestBuffer<Float>([0.25, 0.5, 0, 1])
    let losses = TestBuffer<Float>(zeros: m), dlogits = TestBuffer<Float>(zeros: m * v)
    CrossEntropy.forward(
        losses: losses.pointer, dlogits: dlogits.pointer, logits: logits.readOnly, targets: targets.readOnly,
        dlossScale: scale.readOnly, rows: m, vocab: v, labelSmoothing: eps)
    for r in 0..<m {
        let x = (0..<v).map { Double(logits[r * v + $0]) }
        let mx = x.max() ?? 0
        let lse = mx + log(x.map { exp($0 - mx) }.reduce(0, +))
        let expected = (1 - Double(eps)) * (lse - x[Int(targets[r])]) + Double(eps) * (lse - x.reduce(0, +) / Double(v))
        #expect(abs(Double(losses[r]) - expected) < 1e-5)
    }
    let report = FiniteDifference.check(logits.pointer, count: m * v, analytic: dlogits.array, step: 1e-2) {
        CrossEntropy.forward(
            losses: losses.pointer, dlogits: nil, logits: logits.readOnly, targets: targets.readOnly, dlossScale: nil,
            rows: m, vocab: v, labelSmoothing: eps)
        return (0..<m).reduce(0.0) { $0 + Double(losses[$1]) * Double(scale[$1]) }
    }
    #expect(report.maxError < 1e-2, "\(report)")
    #expect((0..<v).allSatisfy { dlogits[2 * v + $0] == 0 })  // scale 0: no gradient

    let inPlace = TestBuffer(logits.array)
    CrossEntropy.forward(
        losses: losses.pointer, dlogits: inPlace.pointer, logits: inPlace.readOnly, targets: targets.readOnly,
        dlossScale: scale.readOnly, rows: m, vocab: v, labelSmoothing: eps)
    #expect(inPlace.array == dlogits.array)
}

/// Softmax and log-softmax rows equal the definition; an all-masked row becomes zeros.
@Test func softmaxRows() {
    var rng = SeededRandom(seed: 52)
    let (rows, cols) = (3, 21)
    var values = rng.normals(rows * cols, std: 4)
    for i in 0..<cols { values[2 * cols + i] = -.infinity }
    let inp = TestBuffer(values), out = TestBuffer<Float>(zeros: rows * cols),
        logOut = TestBuffer<Float>(zeros: rows * cols)
    Softmax.forward(out: out.pointer, inp: inp.readOnly, rows: rows, cols: cols)
    Softmax.logForward(out: logOut.pointer, inp: inp.readOnly, rows: 2, cols: cols)
    for r in 0..<2 {
        let x = (0..<cols).map { Double(inp[r * cols + $0]) }
        let lse = (x.max() ?? 0) + log(x.map { exp($0 - (x.max() ?? 0)) }.reduce(0, +))
        for i in 0..<cols {
            #expect(abs(Double(out[r * cols + i]) - exp(x[i] - lse)) < 1e-6)
            #expect(abs(Double(logOut[r * cols + i]) - (x[i] - lse)) < 1e-5)
        }
    }
    #expect((0..<cols).allSatisfy { out[2 * cols + $0] == 0 })
}
