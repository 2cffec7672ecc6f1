import Foundation
import Testing
import TestSupport

import Kernels

/// A store with a 3-slot past (prefix or cache), spare capacity, q read with a fused-qkv stride, a row with
/// a padding hole and a row whose first queries see no key at all.
private struct AttentionCase {
    let shape = Attention.Shape(
        batch: 2, queries: 5, heads: 2, headDim: 20, queryOffset: 3, slotStride: 10, queryStride: 120, outStride: 40)
    let mask: [UInt8] = [1, 1, 1, 1, 0, 1, 1, 1, 0, 0] + [0, 0, 0, 0, 0, 1, 1, 1, 0, 0]
    let q: TestBuffer<Float>, k: TestBuffer<Float>, v: TestBuffer<Float>

    init() {
        var rng = SeededRandom(seed: 31)
        q = TestBuffer(rng.normals(2 * 5 * 120))
        k = TestBuffer(rng.normals(2 * 2 * 10 * 20))
        v = TestBuffer(rng.normals(2 * 2 * 10 * 20))
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

/// Attention forward equals the masked-softmax definition; rows with no visible key give zeros.
@Test func attentionForwardMatchesDefinition() {
    let c = AttentionCase()
    let out = TestBuffer<Float>(repeating: 9, count: 2 * 5 * 40)
    let probs = TestBuffer<Float>(repeating: 9, count: c.shape.probabilityCount)
    c.mask.withUnsafeBufferPointer { mask in
        Attention.forward(
            out: out.pointer, probs: probs.pointer, q: c.q.readOnly, keys: c.k.readOnly, values: c.v.readOnly,
            keyMask: mask.baseAddress.unsafelyUnwrapped, shape: c.shape)
    }
    let expected = c.reference()
    #expect(zip(out.array, expected).map { abs(Double($0) - $1) }.max() ?? 1 < 1e-5)
    // Row 1, query 0 sits at slot 3 and sees only masked slots.
    #expect((0..<40).allSatisfy { out[(5 + 0) * 40 + $0] == 0 })
    // Each probability row sums to 1 (or 0 when nothing is visible), and masked or future slots are 0.
    let keys = c.shape.keys
    let row = Array(probs.array[0..<keys])
    #expect(abs(row.reduce(0, +) - 1) < 1e-5)
    #expect(row[4] == 0 && row[4...].allSatisfy { $0 == 0 })
    // Without saved probabilities the output is the same.
    let out2 = TestBuffer<Float>(zeros: 2 * 5 * 40)
    c.mask.withUnsafeBufferPointer { mask in
        Attention.forward(
            out: out2.pointer, probs: nil, q: c.q.readOnly, keys: c.k.readOnly, values: c.v.readOnly,
            keyMask: mask.baseAddress.unsafelyUnwrapped, shape: c.shape)
    }
    #expect(out2.array == out.array)
}

/// Attention backward (q, every key and value slot, including the past) equals central differences.
@Test func attentionBackwardMatchesFiniteDifferences() {
    let c = AttentionCase()
    let s = c.shape
    let out = TestBuffer<Float>(zeros: 2 * 5 * 40)
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
    let loss = { run(); return FiniteDifference.weightedSum(out.readOnly, w) }
    for (name, x, grad) in [("q", c.q, dq), ("k", c.k, dk), ("v", c.v, dv)] {
        let report = FiniteDifference.check(x.pointer, count: x.count, analytic: grad.array, loss: loss)
        #expect(report.maxError < 1e-2, "d\(name): \(report)")
    }
    // Slots beyond the filled ones, and masked slots, receive no gradient.
    #expect((8..<10).allSatisfy { slot in (0..<20).allSatisfy { dk[slot * 20 + $0] == 0 } })
    #expect((0..<20).allSatisfy { dv[4 * 20 + $0] == 0 })
}
