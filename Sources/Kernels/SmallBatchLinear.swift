/// Matrix products for a handful of rows (decoding: one token per beam or per prompt), where the cost is
/// streaming the weights from memory once.
///
/// OpenBLAS packs (copies) the weight matrix even for 2–8 rows, so sgemm there costs several weight
/// passes, and one sgemv per row costs one pass per row. These loops read every weight from memory once for
/// all the rows, like `RowLinear` with several far-apart streams per core (one sequential stream per core
/// gets only part of the memory bandwidth here); the rows are taken in small groups so the accumulators stay
/// in the 16 AVX2 registers, and later groups re-read the few weight rows of a pass from L1.
///
/// The sums run in a different order from sgemm's, so results differ from it in the last bits; the order is
/// fixed by the shapes (blocks of fixed size, partial sums added in block order), so they depend on neither
/// the thread count nor thread timing.
enum SmallBatchLinear {
    /// Rows up to which `Linear.forward` uses these loops instead of sgemm: up to 40 = beam 5 × 8 prompts.
    /// Measured on GPT-2 small's shapes (eval/BENCHMARKS.md, "Generation"), best of 15, load ~1.8: the 48
    /// block products take 22–29 ms at 8 rows against sgemm's 45–55, 49–55 against 47 at 16, 72–100 against
    /// 97–102 at 40, 117 against 94 at 64 (these loops are compute-bound by then); the head 9–11 ms against
    /// 28–35 at 8 rows, 30–34 against 57 at 40, 42 against 49 at 64 (sgemm packs the 154 MB `wte` per call).
    static let maxRows = 40

    /// Rows of `W[OC, C]` read together per block (far apart: one from each quarter of the block).
    static let outputStreams = 4
    /// Rows of `W[OC, C]` per block of `outputMajor`.
    static let outputRowsPerBlock = 256
    /// Rows of `W[C, OC]` (input features) per block of `inputMajor`: 2 blocks for GPT-2's 768 features, 8 for
    /// its 3072. Larger than `RowLinear`'s because every block keeps a partial `[n, OC]`, which is written
    /// once and added once.
    static let inputRowsPerBlock = 384

    /// out[r, :] = inp[r, :] · W (+ out when `accumulate`) for W `[C, OC]` (Hugging Face `Conv1D`), r < n.
    ///
    /// As in `RowLinear.inputMajor`, each block of `inputRowsPerBlock` weight rows (input features) sums its
    /// share into its own partial `[n, OC]` (in L2: at most 8 × 3072 floats for GPT-2), reading two adjacent
    /// weight rows from each of four segments of the block per pass; the partials are added in block order at
    /// the end.
    static func inputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows n: Int,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        let parts = Parallel.blockCount(c, size: inputRowsPerBlock)
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: parts * n * oc)
        defer { partial.deallocate() }
        Parallel.forEachBlock(c, size: inputRowsPerBlock, work: 2 * n * c * oc) { features in
            let y = partial + features.lowerBound / inputRowsPerBlock * n * oc
            y.initialize(repeating: 0, count: n * oc)
            let q = features.count / 8 * 2
            for i in stride(from: features.lowerBound, to: features.lowerBound + q, by: 2) {
                let offsets = (0, 1, q, q + 1, 2 * q, 2 * q + 1, 3 * q, 3 * q + 1)
                forEachGroup(n) { g, size in
                    axpyRows(y + g * oc, inp + g * c + i, c, weight + i * oc, oc, offsets, rows: size, weightRows: 8)
                }
            }
            for i in (features.lowerBound + 4 * q)..<features.upperBound {
                forEachGroup(n) { g, size in
                    axpyRows(
                        y + g * oc, inp + g * c + i, c, weight + i * oc, oc, (0, 0, 0, 0, 0, 0, 0, 0),
                        rows: size, weightRows: 1)
                }
            }
        }
        if !accumulate { out.update(repeating: 0, count: n * oc) }
        for p in 0..<parts { addInPlace(out, partial + p * n * oc, n * oc) }
    }

    /// out[r, o] = inp[r, :] · W[o, :] (+ out when `accumulate`) for W `[OC, C]` (the tied LM head), r < n.
    ///
    /// Each block of `outputRowsPerBlock` weight rows reads four far-apart ones at once (as
    /// `RowLinear.outputMajor`), dotting them with two input rows at a time (8 accumulators); the other
    /// row pairs re-read the four weight rows (a few KB) from L1.
    static func outputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows n: Int,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        Parallel.forEachBlock(oc, size: outputRowsPerBlock, work: 2 * n * c * oc) { range in
            let q = range.count / outputStreams
            let first = range.lowerBound
            func emit(_ o: Int, _ r: Int, _ s: (Float, Float, Float, Float), _ streams: Int, _ stride: Int) {
                let y = out + r * oc + o
                y[0] = accumulate ? y[0] + s.0 : s.0
                if streams > 1 { y[stride] = accumulate ? y[stride] + s.1 : s.1 }
                if streams > 2 { y[2 * stride] = accumulate ? y[2 * stride] + s.2 : s.2 }
                if streams > 3 { y[3 * stride] = accumulate ? y[3 * stride] + s.3 : s.3 }
            }
            for o in first..<(first + q) {
                for r in stride(from: 0, to: n - 1, by: 2) {
                    let (a, b) = dots(inp + r * c, c, weight + o * c, q * c, streams: 4, rows: 2)
                    emit(o, r, a, 4, q)
                    emit(o, r + 1, b, 4, q)
                }
                if n % 2 == 1 {
                    let (a, _) = dots(inp + (n - 1) * c, c, weight + o * c, q * c, streams: 4, rows: 1)
                    emit(o, n - 1, a, 4, q)
                }
            }
            for o in (first + outputStreams * q)..<range.upperBound {
                for r in 0..<n {
                    let (a, _) = dots(inp + r * c, c, weight + o * c, 0, streams: 1, rows: 1)
                    emit(o, r, a, 1, 0)
                }
            }
        }
    }

    // MARK: - Inner loops

    /// Calls `body(firstRow, size)` for the groups of at most four rows covering `0..<n`, with `size` a
    /// literal at each call so the inlined loops are specialised for it.
    @inline(__always)
    static func forEachGroup(_ n: Int, _ body: (Int, Int) -> Void) {
        var g = 0
        while g + 4 <= n { body(g, 4); g += 4 }
        switch n - g {
        case 3: body(g, 2); body(g + 2, 1)
        case 2: body(g, 2)
        case 1: body(g, 1)
        default: break
        }
    }

    /// y[r, j] += Σ_k x[r, off_k] · w[off_k·n + j] for the first `rows` rows (`y` rows `n` apart, `x` rows
    /// `xStride` apart) and the first `weightRows` of the weight rows at `offsets`, in one pass over `y`.
    @inline(__always)
    static func axpyRows(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ xStride: Int, _ w: UnsafePointer<Float>,
        _ n: Int, _ offsets: (Int, Int, Int, Int, Int, Int, Int, Int), rows: Int, weightRows m: Int
    ) {
        let o = offsets
        let ws = (
            w + o.0 * n, w + o.1 * n, w + o.2 * n, w + o.3 * n, w + o.4 * n, w + o.5 * n, w + o.6 * n, w + o.7 * n
        )
        let (x0, x1, x2, x3) = (x, x + xStride, x + 2 * xStride, x + 3 * xStride)
        let (y0, y1, y2, y3) = (y, y + n, y + 2 * n, y + 3 * n)
        // One weight vector into the accumulators of every row (x read by broadcast inside the loop: hoisting
        // 8 × 4 broadcasts would spill).
        @inline(__always)
        func step(_ k: Int, _ wk: Vec, _ a: inout (Vec, Vec, Vec, Vec)) {
            a.0.addProduct(wk, Vec(repeating: x0[k]))
            if rows > 1 { a.1.addProduct(wk, Vec(repeating: x1[k])) }
            if rows > 2 { a.2.addProduct(wk, Vec(repeating: x2[k])) }
            if rows > 3 { a.3.addProduct(wk, Vec(repeating: x3[k])) }
        }
        @inline(__always)
        func scalarStep(_ k: Int, _ wk: Float, _ a: inout (Float, Float, Float, Float)) {
            a.0 += wk * x0[k]
            if rows > 1 { a.1 += wk * x1[k] }
            if rows > 2 { a.2 += wk * x2[k] }
            if rows > 3 { a.3 += wk * x3[k] }
        }
        var j = 0
        while j + 16 <= n {
            var a = (load(y0 + j), Vec(), Vec(), Vec())
            if rows > 1 { a.1 = load(y1 + j) }
            if rows > 2 { a.2 = load(y2 + j) }
            if rows > 3 { a.3 = load(y3 + j) }
            step(o.0, load(ws.0 + j), &a)
            if m > 1 {
                step(o.1, load(ws.1 + j), &a)
                step(o.2, load(ws.2 + j), &a)
                step(o.3, load(ws.3 + j), &a)
                step(o.4, load(ws.4 + j), &a)
                step(o.5, load(ws.5 + j), &a)
                step(o.6, load(ws.6 + j), &a)
                step(o.7, load(ws.7 + j), &a)
            }
            store(a.0, y0 + j)
            if rows > 1 { store(a.1, y1 + j) }
            if rows > 2 { store(a.2, y2 + j) }
            if rows > 3 { store(a.3, y3 + j) }
            j += 16
        }
        while j < n {
            var a = (y0[j], rows > 1 ? y1[j] : 0, rows > 2 ? y2[j] : 0, rows > 3 ? y3[j] : 0)
            scalarStep(o.0, ws.0[j], &a)
            if m > 1 {
                scalarStep(o.1, ws.1[j], &a)
                scalarStep(o.2, ws.2[j], &a)
                scalarStep(o.3, ws.3[j], &a)
                scalarStep(o.4, ws.4[j], &a)
                scalarStep(o.5, ws.5[j], &a)
                scalarStep(o.6, ws.6[j], &a)
                scalarStep(o.7, ws.7[j], &a)
            }
            y0[j] = a.0
            if rows > 1 { y1[j] = a.1 }
            if rows > 2 { y2[j] = a.2 }
            if rows > 3 { y3[j] = a.3 }
            j += 1
        }
    }

    /// The dot products of the first `rows` (≤ 2) input rows (`xStride` apart) with the first `streams` (1 or
    /// 4) weight rows `w`, `w + stride`, …, each `n` long; 8-float accumulators keep the 4 × 2 in registers.
    @inline(__always)
    static func dots(
        _ x: UnsafePointer<Float>, _ xStride: Int, _ w: UnsafePointer<Float>, _ stride: Int, streams: Int, rows: Int
    ) -> ((Float, Float, Float, Float), (Float, Float, Float, Float)) {
        typealias V8 = SIMD8<Float>
        @inline(__always) func load8(_ p: UnsafePointer<Float>) -> V8 {
            UnsafeRawPointer(p).loadUnaligned(as: V8.self)
        }
        @inline(__always) func sum8(_ v: V8) -> Float {
            let h4 = v.lowHalf + v.highHalf
            let h2 = h4.lowHalf + h4.highHalf
            return h2[0] + h2[1]
        }
        let (w0, w1, w2, w3) = (w, w + stride, w + 2 * stride, w + 3 * stride)
        let (x0, x1) = (x, x + xStride)
        var a = (V8(), V8(), V8(), V8()), b = (V8(), V8(), V8(), V8())
        var n = 0
        let count = xStride  // the input width: x rows are stored back to back
        while n + 8 <= count {
            let u = load8(x0 + n)
            let v = rows > 1 ? load8(x1 + n) : V8()
            var wk = load8(w0 + n)
            a.0.addProduct(wk, u)
            if rows > 1 { b.0.addProduct(wk, v) }
            if streams > 1 {
                wk = load8(w1 + n)
                a.1.addProduct(wk, u)
                if rows > 1 { b.1.addProduct(wk, v) }
                wk = load8(w2 + n)
                a.2.addProduct(wk, u)
                if rows > 1 { b.2.addProduct(wk, v) }
                wk = load8(w3 + n)
                a.3.addProduct(wk, u)
                if rows > 1 { b.3.addProduct(wk, v) }
            }
            n += 8
        }
        var s = (sum8(a.0), sum8(a.1), sum8(a.2), sum8(a.3)), t = (sum8(b.0), sum8(b.1), sum8(b.2), sum8(b.3))
        while n < count {
            s.0 += w0[n] * x0[n]
            if rows > 1 { t.0 += w0[n] * x1[n] }
            if streams > 1 {
                s.1 += w1[n] * x0[n]
                s.2 += w2[n] * x0[n]
                s.3 += w3[n] * x0[n]
                if rows > 1 {
                    t.1 += w1[n] * x1[n]
                    t.2 += w2[n] * x1[n]
                    t.3 += w3[n] * x1[n]
                }
            }
            n += 1
        }
        return (s, t)
    }
}
