import Testing
import TestSupport

import Kernels

/// Few-row products (decoding: 2–40 rows, our own multi-stream loops instead of sgemm) equal a double-precision
/// reference for both weight layouts, with a bias and accumulating into the output, for row counts that fill
/// the 4-row and 2-row groups and leave 1–3 rows over (and 41, past the limit: sgemm), widths that are not
/// multiples of the vector (16 floats for `[C, OC]`, 8 for `[OC, C]`), weight-row counts that leave
/// remainders after the per-core split and the 4 segments / 4 streams, and sizes both below and above the
/// threshold for splitting over the cores.
@Test(arguments: linearKernelShapes)
func fewRowLinearMatchesReference(inFeatures c: Int, outFeatures oc: Int) {
    var rng = SeededRandom(seed: UInt64(c * 7_907 + oc))
    let maxRows = 41
    let inp = TestBuffer(rng.normals(maxRows * c)), bias = TestBuffer(rng.normals(oc))
    let residual = rng.normals(maxRows * oc)
    for layout in [Linear.WeightLayout.inputMajor, .outputMajor] {
        let weight = TestBuffer(rng.normals(c * oc, std: 0.3))
        func w(_ i: Int, _ o: Int) -> Float { layout == .inputMajor ? weight[i * oc + o] : weight[o * c + i] }
        // The reference in Double, and the scale a Float sum of these products can be off by.
        let exact = (0..<(maxRows * oc)).map { k in
            (0..<c).reduce(0.0) { $0 + Double(inp[k / oc * c + $1]) * Double(w($1, k % oc)) }
        }
        let scale = (0..<(maxRows * oc)).map { k in
            (0..<c).reduce(0.0) { $0 + abs(Double(inp[k / oc * c + $1]) * Double(w($1, k % oc))) }
        }
        for n in [2, 3, 4, 5, 6, 7, 8, 9, 11, 16, 17, 40, 41] {
            func check(_ out: TestBuffer<Float>, _ expected: (Int) -> Double, _ what: String) {
                for k in 0..<(n * oc) {
                    let error = abs(Double(out[k]) - expected(k))
                    let bound = 1e-6 * (scale[k] + abs(expected(k))) + 1e-6
                    #expect(error <= bound, "\(layout) \(n)×\(c)×\(oc) \(what), row \(k / oc) output \(k % oc)")
                }
            }
            let plain = TestBuffer<Float>(repeating: .nan, count: n * oc)  // must be overwritten, never read
            Linear.forward(
                out: plain.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: nil, rows: n, inFeatures: c,
                outFeatures: oc, layout: layout)
            check(plain, { exact[$0] }, "without bias")
            let biased = TestBuffer<Float>(repeating: .nan, count: n * oc)
            Linear.forward(
                out: biased.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: n,
                inFeatures: c, outFeatures: oc, layout: layout)
            check(biased, { exact[$0] + Double(bias[$0 % oc]) }, "with bias")
            let summed = TestBuffer(Array(residual[0..<(n * oc)]))
            Linear.forward(
                out: summed.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: n,
                inFeatures: c, outFeatures: oc, layout: layout, accumulate: true)
            check(summed, { exact[$0] + Double(bias[$0 % oc]) + Double(residual[$0]) }, "accumulating")
        }
    }
}

/// Few-row products are deterministic: per-core partial sums are combined in a fixed order, so repeated calls
/// give bit-identical results (beam search must not depend on thread timing).
@Test func fewRowLinearIsDeterministic() {
    var rng = SeededRandom(seed: 37)
    let (n, c, oc) = (5, 515, 777)
    let inp = TestBuffer(rng.normals(n * c)), weight = TestBuffer(rng.normals(c * oc))
    for layout in [Linear.WeightLayout.inputMajor, .outputMajor] {
        var results: [[Float]] = []
        for _ in 0..<5 {
            let out = TestBuffer<Float>(zeros: n * oc)
            Linear.forward(
                out: out.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: nil, rows: n, inFeatures: c,
                outFeatures: oc, layout: layout)
            results.append(out.array)
        }
        #expect(results.allSatisfy { $0 == results[0] }, "\(layout)")
    }
}
