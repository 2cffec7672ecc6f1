import Testing
import TestSupport
import WorkerThreads

import Kernels

/// Rounding to bf16 is torch's `c10::BFloat16` round-to-nearest-even: ties go to the even bf16, NaN becomes
/// the quiet NaN 0x7FC0, infinities stay, values past the largest bf16 round to infinity, and the 16-lane
/// path gives the same bits as the scalar one.
@Test func bfloat16RoundingIsNearestEven() {
    let cases: [(UInt32, UInt16)] = [
        (0x3F80_0000, 0x3F80),  // 1
        (0x3F80_8000, 0x3F80),  // 1 + 2⁻⁸: a tie, to the even 1
        (0x3F81_8000, 0x3F82),  // 1 + 3·2⁻⁸: a tie, to the even 1 + 2⁻⁶
        (0x3F80_8001, 0x3F81),  // just above the tie
        (0xBF80_7FFF, 0xBF80),  // just below the tie, negative
        (0x7F7F_FFFF, 0x7F80),  // the largest f32 → +∞
        (0x7F80_0000, 0x7F80), (0xFF80_0000, 0xFF80),  // ±∞
        (0x7FC0_0000, 0x7FC0), (0x7F80_0001, 0x7FC0), (0xFFC1_2345, 0x7FC0),  // NaNs → torch's quiet NaN
        (0x0000_8000, 0x0000), (0x0001_8000, 0x0002), (0x8000_0000, 0x8000),  // subnormals, −0
    ]
    for (input, expected) in cases {
        #expect(BFloat16.bits(Float(bitPattern: input)) == expected, "0x\(String(input, radix: 16))")
    }
    // Vector and scalar agree, on random values, exact ties and the special cases (40 values: 2 vectors + tail).
    var rng = SeededRandom(seed: 5)
    var values = rng.normals(20, std: 100) + cases.map { Float(bitPattern: $0.0) }
    values += (0..<6).map { Float(bitPattern: UInt32(0x4000_8000 + $0 * 0x1_0000)) }
    let x = TestBuffer(values)
    let narrow = TestBuffer<UInt16>(repeating: 0, count: values.count)
    BFloat16.narrow(narrow.pointer, x.readOnly, values.count)
    let rounded = TestBuffer<Float>(repeating: 0, count: values.count)
    BFloat16.round(rounded.pointer, x.readOnly, values.count)
    let wide = TestBuffer<Float>(repeating: 0, count: values.count)
    BFloat16.widen(wide.pointer, narrow.readOnly, values.count)
    for (i, v) in values.enumerated() {
        #expect(narrow[i] == BFloat16.bits(v), "value \(i)")
        #expect(rounded[i].bitPattern == UInt32(BFloat16.bits(v)) << 16, "value \(i)")
        #expect(wide[i].bitPattern == rounded[i].bitPattern, "value \(i)")
    }
}

/// The f32 weight `[C, OC]` (or `[OC, C]`) rounded to bf16, and that rounding widened back to f32.
private func bf16Weight(_ values: [Float], rows: Int, columns: Int) -> (BFloat16Matrix, TestBuffer<Float>) {
    let source = TestBuffer(values)
    // The portable path on every machine (OneDNNTests cover the packed oneDNN path where it runs).
    let matrix = BFloat16Matrix(source.readOnly, rows: rows, columns: columns, backend: .portable)
    let wide = TestBuffer<Float>(repeating: 0, count: values.count)
    BFloat16.widen(wide.pointer, matrix.storage, values.count)
    return (matrix, wide)
}

private func rounded(_ values: [Float]) -> [Float] { values.map { BFloat16.rounded($0) } }

/// Shapes of the bf16 product tests: one row and a few rows (decoding's loops, both layouts, remainders after
/// the stream/tile split) and more than `SmallBatchLinear.maxRows` rows (the blocked GEMM, several blocks).
private let bf16Shapes = [
    (rows: 1, inFeatures: 37, outFeatures: 1_001), (rows: 1, inFeatures: 771, outFeatures: 50),
    (rows: 1, inFeatures: 203, outFeatures: 333), (rows: 3, inFeatures: 203, outFeatures: 333),
    (rows: 8, inFeatures: 771, outFeatures: 67), (rows: 5, inFeatures: 64, outFeatures: 4_099),
    (rows: 41, inFeatures: 19, outFeatures: 23), (rows: 80, inFeatures: 96, outFeatures: 530),
]

/// The bf16 Linear is bf16 inputs × bf16 weights summed in f32: on every path it equals a double-precision
/// product of the ROUNDED input and weight to f32 summation accuracy (1e-6 of the absolute sum — the f32 tests'
/// bound), with a bias and accumulating; and it is far from the unrounded product at the bf16 scale, so the
/// rounding really happens. More than 40 rows: bit for bit the f32 GEMM on the rounded operands.
@Test(arguments: bf16Shapes)
func bf16LinearIsRoundedInputsWithF32Sums(rows n: Int, inFeatures c: Int, outFeatures oc: Int) {
    var rng = SeededRandom(seed: UInt64(n * 131 + c * 7 + oc))
    let inp = rng.normals(n * c), bias = TestBuffer(rng.normals(oc)), residual = rng.normals(n * oc)
    let x = rounded(inp)
    for layout in [Linear.WeightLayout.inputMajor, .outputMajor] {
        let values = rng.normals(c * oc, std: 0.3)
        let (matrix, wide) = bf16Weight(
            values, rows: layout == .inputMajor ? c : oc, columns: layout == .inputMajor ? oc : c)
        func w(_ i: Int, _ o: Int) -> Float { layout == .inputMajor ? wide[i * oc + o] : wide[o * c + i] }
        let out = TestBuffer(residual), input = TestBuffer(inp)
        BF16Linear.forward(
            out: out.pointer, inp: input.readOnly, weight: matrix, bias: bias.readOnly, rows: n,
            inFeatures: c, outFeatures: oc, layout: layout, accumulate: true)
        var worstRounding = 0.0
        var failures: [String] = []
        for r in 0..<n {
            for o in 0..<oc {
                let terms = (0..<c).map { Double(x[r * c + $0]) * Double(w($0, o)) }
                let exact = terms.reduce(0, +) + Double(bias[o]) + Double(residual[r * oc + o])
                let scale = terms.reduce(0) { $0 + abs($1) } + abs(Double(bias[o])) + abs(Double(residual[r * oc + o]))
                let error = abs(Double(out[r * oc + o]) - exact)
                if error > 1e-6 * scale + 1e-6 { failures.append("row \(r) output \(o): error \(error)") }
                let unrounded = (0..<c).reduce(0.0) {
                    $0 + Double(inp[r * c + $1])
                        * Double(layout == .inputMajor ? values[$1 * oc + o] : values[o * c + $1])
                }
                worstRounding = max(
                    worstRounding, abs(exact - unrounded - Double(bias[o]) - Double(residual[r * oc + o])))
            }
        }
        withExtendedLifetime(input) {}
        #expect(
            failures.isEmpty, "\(layout) \(n)×\(c)×\(oc): \(failures.count) outputs off, first \(failures.prefix(3))")
        if c >= 19 { #expect(worstRounding > 1e-4, "\(layout) \(n)×\(c)×\(oc): the inputs were not rounded") }
        if n > 40 {
            let reference = TestBuffer(residual), roundedInput = TestBuffer(x)
            Linear.forward(
                out: reference.pointer, inp: roundedInput.readOnly, weight: wide.readOnly, bias: bias.readOnly,
                rows: n, inFeatures: c, outFeatures: oc, layout: layout, accumulate: true)
            #expect(
                out.array.map(\.bitPattern) == reference.array.map(\.bitPattern), "\(layout): not the f32 GEMM's bits")
        }
    }
}

/// The bf16 backward is autocast's: ∂inp = bf16(dout) · bf16(W)ᵀ and ∂W = bf16(inp)ᵀ · bf16(dout), summed in
/// f32 — bit for bit the f32 backward on the rounded operands (the same fixed GEMM blocks).
@Test(arguments: [Linear.WeightLayout.inputMajor, .outputMajor])
func bf16LinearBackwardIsF32BackwardOnRoundedOperands(layout: Linear.WeightLayout) {
    let (n, c, oc) = (70, 96, 530)
    var rng = SeededRandom(seed: 17)
    let inp = rng.normals(n * c), dout = rng.normals(n * oc)
    let (matrix, wide) = bf16Weight(
        rng.normals(c * oc, std: 0.3), rows: layout == .inputMajor ? c : oc, columns: layout == .inputMajor ? oc : c)
    let seed = rng.normals(n * c), seedW = rng.normals(c * oc), seedB = rng.normals(oc)
    let (dinp, dweight, dbias) = (TestBuffer(seed), TestBuffer(seedW), TestBuffer(seedB))
    let (g, x, rg, rx) = (TestBuffer(dout), TestBuffer(inp), TestBuffer(rounded(dout)), TestBuffer(rounded(inp)))
    BF16Linear.backward(
        dinp: dinp.pointer, dweight: dweight.pointer, dbias: dbias.pointer, dout: g.readOnly, inp: x.readOnly,
        weight: matrix, rows: n, inFeatures: c, outFeatures: oc, layout: layout)
    let (rinp, rweight, rbias) = (TestBuffer(seed), TestBuffer(seedW), TestBuffer(seedB))
    Linear.backward(
        dinp: rinp.pointer, dweight: rweight.pointer, dbias: rbias.pointer, dout: rg.readOnly, inp: rx.readOnly,
        weight: wide.readOnly, rows: n, inFeatures: c, outFeatures: oc, layout: layout)
    withExtendedLifetime((g, x, rg, rx)) {}
    func differing(_ a: TestBuffer<Float>, _ b: TestBuffer<Float>) -> Int {
        zip(a.array, b.array).filter { $0.bitPattern != $1.bitPattern }.count
    }
    #expect(differing(dinp, rinp) == 0)
    #expect(differing(dweight, rweight) == 0)
    #expect(differing(dbias, rbias) == 0)
}

/// The bf16 products give the same bits on 1, 2, 3 and 7 threads (fixed blocks, partial sums in block order).
@Test(arguments: bf16Shapes)
func bf16LinearDoesNotDependOnThreads(rows n: Int, inFeatures c: Int, outFeatures oc: Int) {
    var rng = SeededRandom(seed: 99)
    let inp = TestBuffer(rng.normals(n * c))
    for layout in [Linear.WeightLayout.inputMajor, .outputMajor] {
        let (matrix, _) = bf16Weight(
            rng.normals(c * oc), rows: layout == .inputMajor ? c : oc, columns: layout == .inputMajor ? oc : c)
        let results = [1, 2, 3, 7].map { threads in
            WorkerThreads.with(count: threads) { () -> [UInt32] in
                let out = TestBuffer<Float>(repeating: .nan, count: n * oc)
                BF16Linear.forward(
                    out: out.pointer, inp: inp.readOnly, weight: matrix, bias: nil, rows: n, inFeatures: c,
                    outFeatures: oc, layout: layout)
                return out.array.map(\.bitPattern)
            }
        }
        for r in results.dropFirst() { #expect(r == results[0], "\(layout) \(n)×\(c)×\(oc)") }
    }
}
