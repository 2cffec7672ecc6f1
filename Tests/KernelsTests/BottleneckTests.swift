import Testing
import TestSupport

import Kernels

/// The bottleneck's backward equals central differences of its forward for every non-linearity, for the input,
/// both weights and both biases, with a scaling other than 1 and for one row (the matrix-vector path) as for
/// several; the forward adds into what `out` held.
@Test(arguments: Nonlinearity.allCases, [1, 5])
func bottleneckBackwardMatchesFiniteDifferences(_ f: Nonlinearity, rows n: Int) {
    let (c, m, s): (Int, Int, Float) = (12, 5, 1.5)
    var rng = SeededRandom(seed: 31)
    let inp = TestBuffer(rng.normals(n * c))
    let wd = TestBuffer(rng.normals(m * c, std: 0.5)), bd = TestBuffer(rng.normals(m, std: 0.5))
    let wu = TestBuffer(rng.normals(c * m, std: 0.5)), bu = TestBuffer(rng.normals(c, std: 0.5))
    let start = rng.normals(n * c)
    let out = TestBuffer(start)
    let pre = TestBuffer<Float>(zeros: n * m), act = TestBuffer<Float>(zeros: n * m)
    func run() {
        _ = out.pointer.update(from: start, count: n * c)
        Bottleneck.forward(
            out: out.pointer, pre: pre.pointer, act: act.pointer, inp: inp.readOnly, downWeight: wd.readOnly,
            downBias: bd.readOnly, upWeight: wu.readOnly, upBias: bu.readOnly, scaling: s, nonlinearity: f, rows: n,
            channels: c, bottleneck: m)
    }
    run()
    // The definition, row by row, in Double.
    for r in 0..<n {
        var hidden = [Double](repeating: 0, count: m)
        for j in 0..<m {
            let z = (0..<c).reduce(Double(bd[j])) { $0 + Double(inp[r * c + $1]) * Double(wd[j * c + $1]) }
            let one = TestBuffer<Float>([Float(z)]), y = TestBuffer<Float>(zeros: 1)
            f.forward(out: y.pointer, inp: one.readOnly, count: 1)
            hidden[j] = Double(y[0])
        }
        for o in 0..<c {
            let up = (0..<m).reduce(Double(bu[o])) { $0 + hidden[$1] * Double(wu[o * m + $1]) }
            #expect(abs(Double(out[r * c + o]) - (Double(start[r * c + o]) + Double(s) * up)) < 1e-4)
        }
    }
    let g = rng.normals(n * c)
    let dout = TestBuffer(g), scratch = TestBuffer<Float>(zeros: n * m)
    let dinp = TestBuffer<Float>(zeros: n * c), dwd = TestBuffer<Float>(zeros: m * c), dbd = TestBuffer<Float>(zeros: m)
    let dwu = TestBuffer<Float>(zeros: c * m), dbu = TestBuffer<Float>(zeros: c)
    Bottleneck.backward(
        dinp: dinp.pointer, ddownWeight: dwd.pointer, ddownBias: dbd.pointer, dupWeight: dwu.pointer,
        dupBias: dbu.pointer, scratch: scratch.pointer, dout: dout.readOnly, inp: inp.readOnly, pre: pre.readOnly,
        act: act.readOnly, downWeight: wd.readOnly, upWeight: wu.readOnly, scaling: s, nonlinearity: f, rows: n,
        channels: c, bottleneck: m)
    let loss = {
        run(); return FiniteDifference.weightedSum(out.readOnly, g)
    }
    for (name, x, grad) in [
        ("inp", inp, dinp), ("down", wd, dwd), ("downBias", bd, dbd), ("up", wu, dwu), ("upBias", bu, dbu),
    ] {
        let report = FiniteDifference.check(x.pointer, count: x.count, analytic: grad.array, step: 1e-3, loss: loss)
        // A small step: a ReLU-like kink inside the step would bend the difference quotient.
        #expect(report.maxError < 2e-2, "\(f) rows \(n) d\(name): \(report)")
    }
}

/// The backward adds into its buffers (zeroed once per step), so two calls give twice the gradient, and a
/// call without an input gradient leaves the weights' gradients as the full call computes them.
@Test func bottleneckBackwardAccumulates() {
    let (n, c, m): (Int, Int, Int) = (4, 8, 3)
    var rng = SeededRandom(seed: 32)
    let inp = TestBuffer(rng.normals(n * c)), wd = TestBuffer(rng.normals(m * c)), bd = TestBuffer(rng.normals(m))
    let wu = TestBuffer(rng.normals(c * m)), bu = TestBuffer(rng.normals(c))
    let out = TestBuffer<Float>(zeros: n * c), pre = TestBuffer<Float>(zeros: n * m),
        act = TestBuffer<Float>(zeros: n * m)
    Bottleneck.forward(
        out: out.pointer, pre: pre.pointer, act: act.pointer, inp: inp.readOnly, downWeight: wd.readOnly,
        downBias: bd.readOnly, upWeight: wu.readOnly, upBias: bu.readOnly, scaling: 4, nonlinearity: .swish, rows: n,
        channels: c, bottleneck: m)
    let dout = TestBuffer(rng.normals(n * c)), scratch = TestBuffer<Float>(zeros: n * m)
    func gradients(times: Int, input: Bool) -> [[Float]] {
        let dinp = TestBuffer<Float>(zeros: n * c), dwd = TestBuffer<Float>(zeros: m * c)
        let dbd = TestBuffer<Float>(zeros: m), dwu = TestBuffer<Float>(zeros: c * m), dbu = TestBuffer<Float>(zeros: c)
        for _ in 0..<times {
            Bottleneck.backward(
                dinp: input ? dinp.pointer : nil, ddownWeight: dwd.pointer, ddownBias: dbd.pointer,
                dupWeight: dwu.pointer, dupBias: dbu.pointer, scratch: scratch.pointer, dout: dout.readOnly,
                inp: inp.readOnly, pre: pre.readOnly, act: act.readOnly, downWeight: wd.readOnly,
                upWeight: wu.readOnly, scaling: 4, nonlinearity: .swish, rows: n, channels: c, bottleneck: m)
        }
        return [dinp.array, dwd.array, dbd.array, dwu.array, dbu.array]
    }
    let once = gradients(times: 1, input: true), twice = gradients(times: 2, input: true)
    for (a, b) in zip(once, twice) { #expect(maxAbsDifference(a.map { 2 * $0 }, b) < 1e-5) }
    let weightsOnly = gradients(times: 1, input: false)
    #expect(weightsOnly[0].allSatisfy { $0 == 0 })
    for (a, b) in zip(once.dropFirst(), weightsOnly.dropFirst()) { #expect(a == b) }
}
