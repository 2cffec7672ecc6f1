import Foundation
import Testing
import TestSupport

import Kernels

/// GELU equals the tanh formula of transformers' `gelu_new` (in Double) over a wide range, including
/// large |x| where a naive tanh form would overflow, and its backward equals central differences.
@Test func geluForwardBackward() {
    var rng = SeededRandom(seed: 41)
    let n = 101
    let x = TestBuffer(rng.normals(n, std: 3) + [-30, 30, 0, -100, 100])
    let out = TestBuffer<Float>(zeros: x.count)
    GELU.forward(out: out.pointer, inp: x.readOnly, count: x.count)
    for i in 0..<x.count {
        let v = Double(x[i])
        let expected = 0.5 * v * (1 + tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
        #expect(abs(Double(out[i]) - expected) <= 2e-6 * max(1, abs(expected)), "x = \(v)")
    }
    let w = rng.normals(x.count)
    let dout = TestBuffer(w)
    let dinp = TestBuffer<Float>(zeros: x.count)
    GELU.backward(dinp: dinp.pointer, inp: x.readOnly, dout: dout.readOnly, count: x.count)
    let report = FiniteDifference.check(x.pointer, count: x.count, analytic: dinp.array, step: 1e-3) {
        GELU.forward(out: out.pointer, inp: x.readOnly, count: x.count)
        return FiniteDifference.weightedSum(out.readOnly, w)
    }
    #expect(report.maxError < 1e-2, "\(report)")
}

/// The vector exp is within a few ulp of libm over the range softmax and GELU use.
@Test func vectorExpAccuracy() {
    var worst: Double = 0
    for i in 0..<20_000 {
        let x = Float(-87 + Double(i) * 175 / 20_000)
        let got = Double(sexp(x))
        let want = exp(Double(x))
        worst = max(worst, abs(got - want) / want)
    }
    #expect(worst < 5e-7, "worst relative error \(worst)")
}
