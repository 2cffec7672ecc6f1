import Testing
import TestSupport
import WorkerThreads

@testable import Kernels

/// Products of several fixed blocks: rows cut in three, columns in three, both, and a product small enough
/// that its one block is halved (blocks are at most 512 × 512).
private let packedShapes: [(rows: Int, depth: Int, columns: Int)] = [
    (1030, 24, 40), (45, 130, 1100), (530, 40, 600), (64, 40, 30),
]

/// B[i, j] of `values` stored as the packed matrix reads it (`transposed`: stored [N, K]).
private func b(_ values: [Float], _ i: Int, _ j: Int, depth k: Int, columns n: Int, transposed: Bool) -> Float {
    transposed ? values[j * k + i] : values[i * n + j]
}

/// oneDNN f32 on packed weights (any CPU oneDNN runs on, AVX2 included) equals a double-precision product to
/// f32 summation accuracy: 1e-5 of the sum of |terms| (K ≤ 130 terms of unit roundoff 6e-8 each bound the
/// error by ~8e-6 in the worst case), with and without accumulation.
@Test(arguments: packedShapes.indices)
func oneDNNF32PackedProductIsTheProduct(_ index: Int) throws {
    let (m, k, n) = packedShapes[index]
    var rng = SeededRandom(seed: UInt64(index) + 500)
    let a = TestBuffer(rng.normals(m * k)), start = rng.normals(m * n)
    for transposed in [false, true] {
        let values = rng.normals(k * n, std: 0.3)
        let source = TestBuffer(values)
        let packed = try #require(
            OneDNNPackedWeights(
                source: source.readOnly, type: .f32, depth: k, columns: n, ld: transposed ? k : n,
                transposed: transposed), "oneDNN made no f32 matmul on this machine")
        for accumulate in [false, true] {
            let c = TestBuffer(start)
            #expect(packed.multiply(c: c.pointer, ldc: n, a: a.readOnly, lda: k, rows: m, accumulate: accumulate))
            var failures = 0
            for r in 0..<m {
                for j in 0..<n {
                    var (sum, scale) = accumulate ? (Double(start[r * n + j]), abs(Double(start[r * n + j]))) : (0, 0)
                    for i in 0..<k {
                        let term =
                            Double(a[r * k + i]) * Double(b(values, i, j, depth: k, columns: n, transposed: transposed))
                        sum += term
                        scale += abs(term)
                    }
                    if abs(Double(c[r * n + j]) - sum) > 1e-5 * scale + 1e-6 { failures += 1 }
                }
            }
            #expect(failures == 0, "\(m)×\(k)×\(n) transposed \(transposed) accumulate \(accumulate): \(failures) off")
        }
    }
}

/// The packed oneDNN product gives the same bits on 1, 2, 3 and 7 threads (fixed blocks, one thread each).
@Test(arguments: packedShapes.indices)
func oneDNNPackedProductDoesNotDependOnThreads(_ index: Int) throws {
    let (m, k, n) = packedShapes[index]
    var rng = SeededRandom(seed: UInt64(index) + 600)
    let a = TestBuffer(rng.normals(m * k)), source = TestBuffer(rng.normals(k * n))
    let packed = try #require(
        OneDNNPackedWeights(source: source.readOnly, type: .f32, depth: k, columns: n, ld: n, transposed: false))
    let results = [1, 2, 3, 7].map { threads in
        WorkerThreads.with(count: threads) {
            let c = TestBuffer<Float>(zeros: m * n)
            _ = packed.multiply(c: c.pointer, ldc: n, a: a.readOnly, lda: k, rows: m, accumulate: false)
            return c.array.map(\.bitPattern)
        }
    }
    for (threads, result) in zip([2, 3, 7], results.dropFirst()) {
        #expect(result == results[0], "\(m)×\(k)×\(n): other bits on \(threads) threads")
    }
}

/// Where oneDNN's bf16 kernels run (avx512_bf16 or amx_bf16), `BF16Linear` on packed weights is the portable
/// path's numerics — bf16 inputs, f32 sums — so the two agree to f32 summation accuracy (1e-5 of the sum of
/// |terms|), forward and input gradient, both layouts; and it does not depend on the thread count.
@Test(
    .enabled(
        if: BF16Backend.current == .oneDNN,
        "skipped: this CPU has no avx512_bf16/amx_bf16 (or oneDNN offers no bf16 kernel), so only the portable bf16 path runs here; BFloat16Tests cover it"
    ),
    arguments: [Linear.WeightLayout.inputMajor, .outputMajor])
func oneDNNBF16LinearMatchesThePortablePath(_ layout: Linear.WeightLayout) throws {
    let (n, c, oc) = (300, 530, 700)
    var rng = SeededRandom(seed: 700)
    let inp = TestBuffer(rng.normals(n * c)), dout = TestBuffer(rng.normals(n * oc))
    let source = TestBuffer(rng.normals(c * oc, std: 0.3))
    let (rows, columns) = layout == .inputMajor ? (c, oc) : (oc, c)
    let onednn = BFloat16Matrix(source.readOnly, rows: rows, columns: columns, layout: layout, backend: .oneDNN)
    let portable = BFloat16Matrix(source.readOnly, rows: rows, columns: columns, layout: layout, backend: .portable)
    #expect(onednn.packed != nil && portable.packed == nil)
    func forward(_ w: BFloat16Matrix) -> [Float] {
        let out = TestBuffer<Float>(zeros: n * oc)
        BF16Linear.forward(
            out: out.pointer, inp: inp.readOnly, weight: w, bias: nil, rows: n, inFeatures: c, outFeatures: oc,
            layout: layout)
        return out.array
    }
    func inputGradient(_ w: BFloat16Matrix) -> [Float] {
        let dinp = TestBuffer<Float>(zeros: n * c)
        BF16Linear.backward(
            dinp: dinp.pointer, dweight: nil, dbias: nil, dout: dout.readOnly, inp: nil, weight: w, rows: n,
            inFeatures: c, outFeatures: oc, layout: layout)
        return dinp.array
    }
    // |terms| of each output are at most Σ|x||w|: bound by the portable result's inputs (rms 1 and 0.3).
    for (what, ours, reference, depth) in [
        ("forward", forward(onednn), forward(portable), c),
        ("input gradient", inputGradient(onednn), inputGradient(portable), oc),
    ] {
        let worst = zip(ours, reference).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5 * Float(depth), "\(layout) \(what): differs by \(worst) from the portable path")
    }
    let bits = [1, 2, 7].map { threads in WorkerThreads.with(count: threads) { forward(onednn).map(\.bitPattern) } }
    #expect(bits[1] == bits[0] && bits[2] == bits[0], "\(layout): depends on the thread count")
}

/// The bf16 flags are read from /proc/cpuinfo's flags line by whole words.
@Test func bf16FlagsAreWholeWords() {
    #expect(
        BF16Backend.bf16Flags(inFlagsLine: "flags\t\t: fpu avx2 avx512_bf16 amx_bf16 amx_tile\n") == [
            "avx512_bf16", "amx_bf16",
        ])
    #expect(BF16Backend.bf16Flags(inFlagsLine: "flags : fpu avx2 fma avx512_bf16x\n").isEmpty)
    #expect(BF16Backend.current == .portable || !BF16Backend.cpuFlags.isEmpty)
}
