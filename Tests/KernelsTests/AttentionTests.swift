import Foundation
import Testing
import TestSupport

import Kernels

/// A store with a 3-slot past (prefix or cache), spare capacity, q read with a fused-qkv stride, a row with
/// a padding hole and a row whose first queries see no key at all.
/// Queries: 5 exercise the transposed-key score loop, 2 the dot-product loop (decoding); head widths 20,
/// 64 and 80 exercise the scalar tail, the 64-wide register loop, and both.
private struct AttentionCase {
    let shape: Attention.Shape
    let mask: [UInt8] = [1, 1, 1, 1, 0, 1, 1, 1, 0, 0] + [0, 0, 0, 0, 0, 1, 1, 1, 0, 0]
    let q: TestBuffer<Float>, k: TestBuffer<Float>, v: TestBuffer<Float>

    init(queries: Int, headDim: Int) {
        let c = 2 * headDim
        shape = Attention.Shape(
            batch: 2, queries: queries, heads: 2, headDim: headDim, queryOffset: 8 - queries, slotStride: 10,
            queryStride: 3 * c, outStride: c)
        var rng = SeededRandom(seed: 31)
        q = TestBuffer(rng.normals(2 * queries * 3 * c, std: 0.5))
        k = TestBuffer(rng.normals(2 * 2 * 10 * headDim, std: 0.5))
        v = TestBuffer(rng.normals(2 * 2 * 10 * headDim))
    }

    /// The definition in Double: softmax over visible slots, zero output when none is visible.
    func reference() -> [Double] {
        let s = shape
        var out = [Double](repeating: 0, count: s.batch * s.queries * s.outStride)
        for b in 0..<s.batch {
            for h in 0..<s.heads {
                for t in 0..<s.queries {
                    let visible = (0...(s.queryOffset + t)).filter { mask[b * s.slotStride + $0] != 0 }
                    let scores = visible.map { slot -> Double in
                        (0..<s.headDim).reduce(0.0) { acc, d in
                            acc + Double(q[(b * s.queries + t) * s.queryStride + h * s.headDim + d])
                                * Double(k[((b * s.heads + h) * s.slotStride + slot) * s.headDim + d])
                        } / Double(s.headDim).squareRoot()
                    }
                    guard let mx = scores.max() else { continue }
                    let e = scores.map { exp($0 - mx) }
                    let total = e.reduce(0, +)
                    for (j, slot) in visible.enumerated() {
                        let weight: Double = e[j] / total
                        let outRow = (b * s.queries + t) * s.outStride + h * s.headDim
                        let valueRow = ((b * s.heads + h) * s.slotStride + slot) * s.headDim
                        for d in 0..<s.headDim { out[outRow + d] += weight * Double(v[valueRow + d]) }
                    }
                }
            }
        }
        return out
    }
}

private let attentionCases = [(5, 20), (5, 64), (5, 80), (2, 20), (2, 64)]

/// Attention forward equals the masked-softmax definition; rows with no visible key give zeros.
@Test(arguments: attentionCases)
func attentionForwardMatchesDefinition(queries: Int, headDim: Int) {
    let c = AttentionCase(queries: queries, headDim: headDim)
    let (nt, width) = (queries, c.shape.outStride)
    let out = TestBuffer<Float>(repeating: 9, count: 2 * nt * width)
    let probs = TestBuffer<Float>(repeating: 9, count: c.shape.probabilityCount)
    c.mask.withUnsafeBufferPointer { mask in
        Attention.forward(
            out: out.pointer, probs: probs.pointer, q: c.q.readOnly, keys: c.k.readOnly, values: c.v.readOnly,
            keyMask: mask.baseAddress.unsafelyUnwrapped, shape: c.shape)
    }
    let expected = c.reference()
    #expect(zip(out.array, expected).map { abs(Double($0) - $1) }.max() ?? 1 < 1e-5)
    // In row 1, slots 0..<5 are masked: a query at slot 3 or 4 sees nothing.
    if queries == 5 { #expect((0..<width).allSatisfy { out[(nt + 0) * width + $0] == 0 }) }
    // Each probability row sums to 1 (or 0 when nothing is visible), and masked or future slots are 0.
    let keys = c.shape.keys
    let row = Array(probs.array[0..<keys])  // row 0, head 0, query 0 (slot 8 − T)
    #expect(abs(row.reduce(0, +) - 1) < 1e-5)
    #expect(row[(8 - nt + 1)...].allSatisfy { $0 == 0 })
    if queries == 5 { #expect(row[4] == 0) }
    // Without saved probabilities the output is the same.
    let out2 = TestBuffer<Float>(zeros: 2 * nt * width)
    c.mask.withUnsafeBufferPointer { mask in
        Attention.forward(
            out: out2.pointer, probs: nil, q: c.q.readOnly, keys: c.k.readOnly, values: c.v.readOnly,
            keyMask: mask.baseAddress.unsafelyUnwrapped, shape: c.shape)
    }
    #expect(out2.array == out.array)
}

/// Attention backward (q, every key and value slot, including the past) equals central differences.
@Test(arguments: attentionCases)
func attentionBackwardMatchesFiniteDifferences(queries: Int, headDim: Int) {
    let c = AttentionCase(queries: queries, headDim: headDim)
    let s = c.shape
    let out = TestBuffer<Float>(zeros: 2 * queries * s.outStride)
    let probs = TestBuffer<Float>(zeros: s.probabilityCount)
    var rng = SeededRandom(seed: 32)
    let w = rng.normals(out.count)
    let dout = TestBuffer(w)
    let dq = TestBuffer<Float>(zeros: c.q.count), dk = TestBuffer<Float>(zeros: c.k.count)
    let dv = TestBuffer<Float>(zeros: c.v.count)
    let mask = TestBuffer(c.mask)
    func run() {
        Attention.forward(
            out: out.pointer, probs: probs.pointer, q: c.q.readOnly, keys: c.k.readOnly, values: c.v.readOnly,
            keyMask: mask.readOnly, shape: s)
    }
    run()
    Attention.backward(
        dq: dq.pointer, dkeys: dk.pointer, dvalues: dv.pointer, dout: dout.readOnly, probs: probs.readOnly,
        q: c.q.readOnly, keys: c.k.readOnly, values: c.v.readOnly, shape: s)
    let loss = {
        run(); return FiniteDifference.weightedSum(out.readOnly, w)
    }
    for (name, x, grad) in [("q", c.q, dq), ("k", c.k, dk), ("v", c.v, dv)] {
        // A spread-out sample of ~250 entries keeps the debug-build test fast; every slot and head is hit.
        let sample = Array(stride(from: 0, to: x.count, by: max(1, x.count / 250)))
        let report = FiniteDifference.check(
            x.pointer, count: x.count, analytic: grad.array, indices: sample, loss: loss)
        #expect(report.maxError < 2e-2, "d\(name): \(report)")
    }
    // Slots beyond the filled ones, and masked slots, receive no gradient.
    let hd = headDim
    #expect((8..<10).allSatisfy { slot in (0..<hd).allSatisfy { dk[slot * hd + $0] == 0 } })
    #expect((0..<hd).allSatisfy { dv[4 * hd + $0] == 0 })
}
