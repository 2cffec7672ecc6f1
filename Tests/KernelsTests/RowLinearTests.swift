import Testing
import TestSupport

import Kernels

/// Layer shapes for the row-product tests (one row here, 2–41 rows in SmallBatchLinearTests): widths that are
/// not multiples of the vector, weight-row counts that leave remainders after the per-core split and the
/// 4-stream / 4-segment groups, sizes below and above the threshold for splitting over the cores.
let linearKernelShapes = [
    (inFeatures: 1, outFeatures: 1), (inFeatures: 5, outFeatures: 3), (inFeatures: 19, outFeatures: 23),
    (inFeatures: 37, outFeatures: 1_001), (inFeatures: 203, outFeatures: 333), (inFeatures: 771, outFeatures: 50),
    (inFeatures: 64, outFeatures: 4_099),
]

/// One-row products (greedy decoding at batch 1, our own loops instead of sgemv) equal a double-precision
/// reference for both weight layouts, with a bias and accumulating into the output, at shapes whose widths are
/// not multiples of the 16-float vector, whose row counts leave remainders after the per-core split and the
/// 4-row / 4-segment groups, and large enough to run split over the cores (2·C·OC ≥ 65 536).
@Test(arguments: linearKernelShapes)
func oneRowLinearMatchesReference(inFeatures c: Int, outFeatures oc: Int) {
    var rng = SeededRandom(seed: UInt64(c * 7_919 + oc))
    let inp = TestBuffer(rng.normals(c)), bias = TestBuffer(rng.normals(oc))
    let residual = rng.normals(oc)
    for layout in [Linear.WeightLayout.inputMajor, .outputMajor] {
        let weight = TestBuffer(rng.normals(c * oc, std: 0.3))
        func w(_ i: Int, _ o: Int) -> Float { layout == .inputMajor ? weight[i * oc + o] : weight[o * c + i] }
        // The reference in Double, and the scale a Float sum of these products can be off by.
        let exact = (0..<oc).map { o in (0..<c).reduce(0.0) { $0 + Double(inp[$1]) * Double(w($1, o)) } }
        let scale = (0..<oc).map { o in (0..<c).reduce(0.0) { $0 + abs(Double(inp[$1]) * Double(w($1, o))) } }
        func check(_ out: TestBuffer<Float>, _ expected: (Int) -> Double, _ what: String) {
            for o in 0..<oc {
                let error = abs(Double(out[o]) - expected(o))
                let bound = 1e-6 * (scale[o] + abs(expected(o))) + 1e-6
                #expect(error <= bound, "\(layout) \(c)×\(oc) \(what), output \(o)")
            }
        }
        let plain = TestBuffer<Float>(repeating: .nan, count: oc)  // must be overwritten, never read
        Linear.forward(
            out: plain.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: nil, rows: 1, inFeatures: c,
            outFeatures: oc, layout: layout)
        check(plain, { exact[$0] }, "without bias")
        let biased = TestBuffer<Float>(repeating: .nan, count: oc)
        Linear.forward(
            out: biased.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: 1,
            inFeatures: c, outFeatures: oc, layout: layout)
        check(biased, { exact[$0] + Double(bias[$0]) }, "with bias")
        let summed = TestBuffer(residual)
        Linear.forward(
            out: summed.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: 1,
            inFeatures: c, outFeatures: oc, layout: layout, accumulate: true)
        check(summed, { exact[$0] + Double(bias[$0]) + Double(residual[$0]) }, "accumulating")
    }
}

/// The one-row product is deterministic: the per-core partial sums are combined in a fixed order, so repeated
/// calls give bit-identical results (decoding must not depend on thread timing).
@Test func oneRowLinearIsDeterministic() {
    var rng = SeededRandom(seed: 31)
    let (c, oc) = (515, 777)
    let inp = TestBuffer(rng.normals(c)), weight = TestBuffer(rng.normals(c * oc))
    for layout in [Linear.WeightLayout.inputMajor, .outputMajor] {
        var results: [[Float]] = []
        for _ in 0..<5 {
            let out = TestBuffer<Float>(zeros: oc)
            Linear.forward(
                out: out.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: nil, rows: 1, inFeatures: c,
                outFeatures: oc, layout: layout)
            results.append(out.array)
        }
        #expect(results.allSatisfy { $0 == results[0] }, "\(layout)")
    }
}
