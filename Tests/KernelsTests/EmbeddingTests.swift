import Testing
import TestSupport

import Kernels

/// The embedding sums the token and position rows, and its backward adds each output gradient row into
/// both tables, accumulating when a token or position repeats.
@Test func embeddingForwardBackward() {
    let (v, p, c) = (7, 5, 18)
    var rng = SeededRandom(seed: 61)
    let wte = TestBuffer(rng.normals(v * c)), wpe = TestBuffer(rng.normals(p * c))
    let tokens = TestBuffer<Int32>([3, 6, 3, 0]), positions = TestBuffer<Int32>([0, 1, 2, 2])
    let out = TestBuffer<Float>(zeros: 4 * c)
    Embedding.forward(
        out: out.pointer, tokens: tokens.readOnly, positions: positions.readOnly, wte: wte.readOnly, wpe: wpe.readOnly,
        rows: 4, channels: c)
    for r in 0..<4 {
        for i in 0..<c {
            #expect(out[r * c + i] == wte[Int(tokens[r]) * c + i] + wpe[Int(positions[r]) * c + i])
        }
    }
    let w = rng.normals(4 * c)
    let dout = TestBuffer(w), dwte = TestBuffer<Float>(zeros: v * c), dwpe = TestBuffer<Float>(zeros: p * c)
    Embedding.backward(
        dwte: dwte.pointer, dwpe: dwpe.pointer, dout: dout.readOnly, tokens: tokens.readOnly,
        positions: positions.readOnly, rows: 4, channels: c)
    let loss = {
        Embedding.forward(
            out: out.pointer, tokens: tokens.readOnly, positions: positions.readOnly, wte: wte.readOnly,
            wpe: wpe.readOnly, rows: 4, channels: c)
        return FiniteDifference.weightedSum(out.readOnly, w)
    }
    let rT = FiniteDifference.check(wte.pointer, count: v * c, analytic: dwte.array, loss: loss)
    let rP = FiniteDifference.check(wpe.pointer, count: p * c, analytic: dwpe.array, loss: loss)
    #expect(rT.maxError < 1e-3, "dwte: \(rT)")
    #expect(rP.maxError < 1e-3, "dwpe: \(rP)")
}
