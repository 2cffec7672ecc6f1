import Testing
import TestSupport

import Kernels

/// Linear forward equals the definition for both weight layouts (one row goes through sgemv, several
/// through sgemm), and the backward's three gradients equal central differences.
@Test(arguments: [
    (rows: 3, layout: Linear.WeightLayout.inputMajor), (rows: 1, layout: .inputMajor),
    (rows: 4, layout: .outputMajor), (rows: 1, layout: .outputMajor),
])
func linearForwardBackward(rows n: Int, layout: Linear.WeightLayout) {
    let (c, oc) = (19, 23)
    var rng = SeededRandom(seed: 21)
    let inp = TestBuffer(rng.normals(n * c)), weight = TestBuffer(rng.normals(c * oc, std: 0.3))
    let bias = TestBuffer(rng.normals(oc))
    let out = TestBuffer<Float>(zeros: n * oc)
    func w(_ i: Int, _ o: Int) -> Float { layout == .inputMajor ? weight[i * oc + o] : weight[o * c + i] }
    func run() {
        Linear.forward(
            out: out.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: n, inFeatures: c,
            outFeatures: oc, layout: layout)
    }
    run()
    for r in 0..<n {
        for o in 0..<oc {
            let expected = (0..<c).reduce(Double(bias[o])) { $0 + Double(inp[r * c + $1]) * Double(w($1, o)) }
            #expect(abs(Double(out[r * oc + o]) - expected) < 1e-4)
        }
    }
    let g = rng.normals(n * oc)
    let dout = TestBuffer(g)
    let dinp = TestBuffer<Float>(zeros: n * c), dweight = TestBuffer<Float>(zeros: c * oc)
    let dbias = TestBuffer<Float>(zeros: oc)
    Linear.backward(
        dinp: dinp.pointer, dweight: dweight.pointer, dbias: dbias.pointer, dout: dout.readOnly, inp: inp.readOnly,
        weight: weight.readOnly, rows: n, inFeatures: c, outFeatures: oc, layout: layout)
    let loss = {
        run(); return FiniteDifference.weightedSum(out.readOnly, g)
    }
    for (name, x, grad) in [("inp", inp, dinp), ("weight", weight, dweight), ("bias", bias, dbias)] {
        let report = FiniteDifference.check(x.pointer, count: x.count, analytic: grad.array, loss: loss)
        #expect(report.maxError < 1e-2, "d\(name): \(report)")
    }
}

/// `accumulate` adds the layer's output to what the buffer held (the in-place residual connection).
@Test func linearAccumulatesIntoOutput() {
    var rng = SeededRandom(seed: 22)
    let (n, c, oc) = (5, 8, 6)
    let inp = TestBuffer(rng.normals(n * c)), weight = TestBuffer(rng.normals(c * oc)),
        bias = TestBuffer(rng.normals(oc))
    let residual = rng.normals(n * oc)
    let fresh = TestBuffer<Float>(zeros: n * oc), summed = TestBuffer(residual)
    Linear.forward(
        out: fresh.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: n, inFeatures: c,
        outFeatures: oc)
    Linear.forward(
        out: summed.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: n, inFeatures: c,
        outFeatures: oc, accumulate: true)
    #expect(maxAbsDifference(summed.array, zip(fresh.array, residual).map { $0 + $1 }) < 1e-5)
}

/// A frozen layer (no weight/bias gradient) and the lowest trainable layer (no input gradient) leave the
/// skipped buffers untouched and compute the rest exactly as the full backward.
@Test func linearPartialBackward() {
    var rng = SeededRandom(seed: 23)
    let (n, c, oc) = (6, 16, 12)
    let inp = TestBuffer(rng.normals(n * c)), weight = TestBuffer(rng.normals(c * oc)),
        dout = TestBuffer(rng.normals(n * oc))
    let fullIn = TestBuffer<Float>(zeros: n * c), fullW = TestBuffer<Float>(zeros: c * oc),
        fullB = TestBuffer<Float>(zeros: oc)
    Linear.backward(
        dinp: fullIn.pointer, dweight: fullW.pointer, dbias: fullB.pointer, dout: dout.readOnly, inp: inp.readOnly,
        weight: weight.readOnly, rows: n, inFeatures: c, outFeatures: oc)
    let frozenIn = TestBuffer<Float>(zeros: n * c)
    Linear.backward(
        dinp: frozenIn.pointer, dweight: nil, dbias: nil, dout: dout.readOnly, inp: nil, weight: weight.readOnly,
        rows: n, inFeatures: c, outFeatures: oc)
    let lowestW = TestBuffer<Float>(zeros: c * oc), lowestB = TestBuffer<Float>(zeros: oc)
    Linear.backward(
        dinp: nil, dweight: lowestW.pointer, dbias: lowestB.pointer, dout: dout.readOnly, inp: inp.readOnly,
        weight: weight.readOnly, rows: n, inFeatures: c, outFeatures: oc)
    #expect(frozenIn.array == fullIn.array)
    #expect(lowestW.array == fullW.array)
    #expect(lowestB.array == fullB.array)
}

/// Few-row products (decoding batches, which avoid sgemm's weight packing) equal the sgemm result for
/// both layouts, every row count up to and past the small-batch limit, widths with ragged tails, with a
/// bias and accumulating into the output.
@Test(arguments: [Linear.WeightLayout.inputMajor, .outputMajor])
func linearFewRowsMatchesSgemm(layout: Linear.WeightLayout) {
    var rng = SeededRandom(seed: 24)
    let (c, oc) = (37, 150)  // 150 = nine 16-float vectors + 6; 37 = four 8-float vectors + 5
    let weight = TestBuffer(rng.normals(c * oc)), bias = TestBuffer(rng.normals(oc))
    let inp = TestBuffer(rng.normals(48 * c))
    let reference = TestBuffer<Float>(zeros: 48 * oc)
    Linear.forward(
        out: reference.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: 48,
        inFeatures: c,
        outFeatures: oc, layout: layout)  // 48 rows: sgemm
    for n in 2...41 {
        let out = TestBuffer<Float>(repeating: .nan, count: n * oc)
        Linear.forward(
            out: out.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: n, inFeatures: c,
            outFeatures: oc, layout: layout)
        #expect(maxAbsDifference(out.array, Array(reference.array[0..<(n * oc)])) < 1e-4, "\(n) rows")
        let residual = rng.normals(n * oc)
        let summed = TestBuffer(residual)
        Linear.forward(
            out: summed.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: nil, rows: n, inFeatures: c,
            outFeatures: oc, layout: layout, accumulate: true)
        let expected = (0..<(n * oc)).map { reference[$0] - bias[$0 % oc] + residual[$0] }
        #expect(maxAbsDifference(summed.array, expected) < 1e-4, "\(n) rows, accumulating")
    }
}
