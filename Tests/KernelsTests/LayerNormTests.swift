import Testing
import TestSupport

import Kernels

/// LayerNorm forward equals the Double-precision definition, and its backward equals central differences
/// for the input, gain and bias (widths with and without a SIMD tail).
@Test(arguments: [(rows: 5, channels: 37), (rows: 3, channels: 48), (rows: 4, channels: 7)])
func layerNormForwardBackward(rows n: Int, channels c: Int) {
    var rng = SeededRandom(seed: 11)
    let inp = TestBuffer(rng.normals(n * c, std: 2).map { $0 + 3 })  // a large mean, as in a residual stream
    let weight = TestBuffer(rng.normals(c, std: 0.3).map { $0 + 1 })
    let bias = TestBuffer(rng.normals(c, std: 0.2))
    let out = TestBuffer<Float>(zeros: n * c), mean = TestBuffer<Float>(zeros: n), rstd = TestBuffer<Float>(zeros: n)
    let eps: Float = 1e-5
    func run() {
        LayerNorm.forward(
            out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, inp: inp.readOnly, weight: weight.readOnly,
            bias: bias.readOnly, rows: n, channels: c, epsilon: eps)
    }
    run()
    for r in 0..<n {
        let x = (0..<c).map { Double(inp[r * c + $0]) }
        let m = x.reduce(0, +) / Double(c)
        let v = x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(c)
        for i in 0..<c {
            let expected = (x[i] - m) / (v + Double(eps)).squareRoot() * Double(weight[i]) + Double(bias[i])
            #expect(abs(Double(out[r * c + i]) - expected) < 1e-5)
        }
    }

    let w = rng.normals(n * c)
    let dout = TestBuffer(w)
    let dinp = TestBuffer<Float>(zeros: n * c), dweight = TestBuffer<Float>(zeros: c),
        dbias = TestBuffer<Float>(zeros: c)
    // Pre-filled gradients check that the backward adds rather than overwrites.
    dinp.pointer.update(repeating: 0.5, count: n * c)
    LayerNorm.backward(
        dinp: dinp.pointer, dweight: dweight.pointer, dbias: dbias.pointer, dout: dout.readOnly, inp: inp.readOnly,
        weight: weight.readOnly, mean: mean.readOnly, rstd: rstd.readOnly, rows: n, channels: c)
    let loss = {
        run(); return FiniteDifference.weightedSum(out.readOnly, w)
    }
    let rInp = FiniteDifference.check(inp.pointer, count: n * c, analytic: dinp.array.map { $0 - 0.5 }, loss: loss)
    let rW = FiniteDifference.check(weight.pointer, count: c, analytic: dweight.array, loss: loss)
    let rB = FiniteDifference.check(bias.pointer, count: c, analytic: dbias.array, loss: loss)
    #expect(rInp.maxError < 1e-2, "dinp: \(rInp)")
    #expect(rW.maxError < 1e-2, "dweight: \(rW)")
    #expect(rB.maxError < 1e-2, "dbias: \(rB)")
}

/// A frozen LayerNorm (no parameter gradients requested) still produces the same input gradient.
@Test func layerNormInputGradientOnly() {
    var rng = SeededRandom(seed: 12)
    let (n, c) = (3, 20)
    let inp = TestBuffer(rng.normals(n * c)), weight = TestBuffer(rng.normals(c)), bias = TestBuffer(rng.normals(c))
    let out = TestBuffer<Float>(zeros: n * c), mean = TestBuffer<Float>(zeros: n), rstd = TestBuffer<Float>(zeros: n)
    LayerNorm.forward(
        out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, inp: inp.readOnly, weight: weight.readOnly,
        bias: bias.readOnly, rows: n, channels: c, epsilon: 1e-5)
    let dout = TestBuffer(rng.normals(n * c))
    let full = TestBuffer<Float>(zeros: n * c), only = TestBuffer<Float>(zeros: n * c)
    let dw = TestBuffer<Float>(zeros: c), db = TestBuffer<Float>(zeros: c)
    LayerNorm.backward(
        dinp: full.pointer, dweight: dw.pointer, dbias: db.pointer, dout: dout.readOnly, inp: inp.readOnly,
        weight: weight.readOnly, mean: mean.readOnly, rstd: rstd.readOnly, rows: n, channels: c)
    LayerNorm.backward(
        dinp: only.pointer, dweight: nil, dbias: nil, dout: dout.readOnly, inp: inp.readOnly, weight: weight.readOnly,
        mean: mean.readOnly, rstd: rstd.readOnly, rows: n, channels: c)
    #expect(full.array == only.array)
}
