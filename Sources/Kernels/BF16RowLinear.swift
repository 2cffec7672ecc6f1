/// One-row and few-row products with bfloat16 weights (decoding), bound by reading the weights: half the bytes
/// of `RowLinear`/`SmallBatchLinear` per token.
///
/// One row: the weights are widened in registers (16 bf16 values: a zero-extension and a shift, AVX2 or
/// AVX-512 alike) inside the same loops as `RowLinear` — four far-apart streams per block. A few rows: each
/// block widens a tile of weight rows that stays in L2 (at most ~100 KB) and runs `SmallBatchLinear`'s inner
/// loops over it, so the weights are still read from memory once for all the rows. Blocks are of fixed size
/// and partial sums are added in block order, as in the f32 loops: the bits do not depend on the thread count.
enum BF16RowLinear {
    /// out[o] = inp · W[o, :] (+ out when `accumulate`) for W `[OC, C]` in bf16.
    static func outputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<UInt16>,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        Parallel.forEachBlock(oc, size: RowLinear.outputRowsPerBlock, work: 2 * c * oc) { range in
            let q = range.count / 4
            let first = range.lowerBound
            for o in first..<(first + q) {
                let s = dot4(inp, weight + o * c, q * c, c)
                let y = (out + o, out + o + q, out + o + 2 * q, out + o + 3 * q)
                y.0.pointee = accumulate ? y.0.pointee + s.0 : s.0
                y.1.pointee = accumulate ? y.1.pointee + s.1 : s.1
                y.2.pointee = accumulate ? y.2.pointee + s.2 : s.2
                y.3.pointee = accumulate ? y.3.pointee + s.3 : s.3
            }
            for o in (first + 4 * q)..<range.upperBound {
                let s = dot4(inp, weight + o * c, 0, c).0
                out[o] = accumulate ? out[o] + s : s
            }
        }
    }

    /// out[o] = Σ_i inp[i] · W[i, o] (+ out when `accumulate`) for W `[C, OC]` in bf16; per-block partial sums
    /// added in block order (as `RowLinear.inputMajor`).
    static func inputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<UInt16>,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        let size = RowLinear.inputRowsPerBlock
        let parts = Parallel.blockCount(c, size: size)
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: parts * oc)
        defer { partial.deallocate() }
        Parallel.forEachBlock(c, size: size, work: 2 * c * oc) { rows in
            let y = partial + rows.lowerBound / size * oc
            y.initialize(repeating: 0, count: oc)
            let q = rows.count / 4
            for i in rows.lowerBound..<(rows.lowerBound + q) {
                axpy4(y, (inp[i], inp[i + q], inp[i + 2 * q], inp[i + 3 * q]), weight + i * oc, q * oc, oc)
            }
            for i in (rows.lowerBound + 4 * q)..<rows.upperBound {
                axpy4(y, (inp[i], 0, 0, 0), weight + i * oc, 0, oc)
            }
        }
        if !accumulate { out.update(repeating: 0, count: oc) }
        for p in 0..<parts { addInPlace(out, partial + p * oc, oc) }
    }

    /// Weight rows widened per tile in the few-row loops (a tile of GPT-2's widest rows, 3072, is 96 KB).
    static let tileRows = 8

    /// out[r, :] = inp[r, :] · W (+ out when `accumulate`) for W `[C, OC]` in bf16, r < n (n small).
    static func fewRowsInputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<UInt16>, rows n: Int,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        let size = SmallBatchLinear.inputRowsPerBlock
        let parts = Parallel.blockCount(c, size: size)
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: parts * n * oc)
        defer { partial.deallocate() }
        Parallel.forEachBlock(c, size: size, work: 2 * n * c * oc) { features in
            let y = partial + features.lowerBound / size * n * oc
            y.initialize(repeating: 0, count: n * oc)
            let tile = UnsafeMutablePointer<Float>.allocate(capacity: tileRows * oc)
            defer { tile.deallocate() }
            var i = features.lowerBound
            while i < features.upperBound {
                let m = min(tileRows, features.upperBound - i)
                BFloat16.widen(tile, weight + i * oc, m * oc)
                if m == tileRows {
                    SmallBatchLinear.forEachGroup(n) { g, rows in
                        SmallBatchLinear.axpyRows(
                            y + g * oc, inp + g * c + i, c, tile, oc, (0, 1, 2, 3, 4, 5, 6, 7), rows: rows,
                            weightRows: 8)
                    }
                } else {
                    for j in 0..<m {
                        SmallBatchLinear.forEachGroup(n) { g, rows in
                            SmallBatchLinear.axpyRows(
                                y + g * oc, inp + g * c + i + j, c, tile + j * oc, oc, (0, 0, 0, 0, 0, 0, 0, 0),
                                rows: rows, weightRows: 1)
                        }
                    }
                }
                i += m
            }
        }
        if !accumulate { out.update(repeating: 0, count: n * oc) }
        for p in 0..<parts { addInPlace(out, partial + p * n * oc, n * oc) }
    }

    /// out[r, o] = inp[r, :] · W[o, :] (+ out when `accumulate`) for W `[OC, C]` in bf16, r < n (n small).
    static func fewRowsOutputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<UInt16>, rows n: Int,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        // Tiles of 4·tileRows weight rows (4 streams of `tileRows`), ~100 KB widened at GPT-2's 768 features.
        let tile = 4 * tileRows
        Parallel.forEachBlock(oc, size: SmallBatchLinear.outputRowsPerBlock, work: 2 * n * c * oc) { range in
            let wide = UnsafeMutablePointer<Float>.allocate(capacity: tile * c)
            defer { wide.deallocate() }
            func emit(_ o: Int, _ r: Int, _ s: Float) {
                let y = out + r * oc + o
                y.pointee = accumulate ? y.pointee + s : s
            }
            func emit4(_ o: Int, _ q: Int, _ r: Int, _ s: (Float, Float, Float, Float)) {
                emit(o, r, s.0)
                emit(o + q, r, s.1)
                emit(o + 2 * q, r, s.2)
                emit(o + 3 * q, r, s.3)
            }
            var first = range.lowerBound
            while first < range.upperBound {
                let m = min(tile, range.upperBound - first)
                BFloat16.widen(wide, weight + first * c, m * c)
                let q = m / 4
                for o in 0..<q {
                    for r in stride(from: 0, to: n - 1, by: 2) {
                        let (a, b) = SmallBatchLinear.dots(inp + r * c, c, wide + o * c, q * c, streams: 4, rows: 2)
                        emit4(first + o, q, r, a)
                        emit4(first + o, q, r + 1, b)
                    }
                    if n % 2 == 1 {
                        let (a, _) = SmallBatchLinear.dots(
                            inp + (n - 1) * c, c, wide + o * c, q * c, streams: 4, rows: 1)
                        emit4(first + o, q, n - 1, a)
                    }
                }
                for o in (4 * q)..<m {
                    for r in 0..<n {
                        let (a, _) = SmallBatchLinear.dots(inp + r * c, c, wide + o * c, 0, streams: 1, rows: 1)
                        emit(first + o, r, a.0)
                    }
                }
                first += m
            }
        }
    }

    // MARK: - Inner loops (widening in registers)

    /// The dot products of `x` with the four bf16 rows `w`, `w + stride`, `w + 2·stride`, `w + 3·stride`, each
    /// `n` long (stride 0 repeats the first row: only `.0` is then meaningful).
    @inline(__always)
    static func dot4(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<UInt16>, _ stride: Int, _ n: Int
    ) -> (Float, Float, Float, Float) {
        let (w0, w1, w2, w3) = (w, w + stride, w + 2 * stride, w + 3 * stride)
        var a0 = Vec(), a1 = Vec(), a2 = Vec(), a3 = Vec()
        var k = 0
        while k + 16 <= n {
            let xk = load(x + k)
            a0.addProduct(BFloat16.widen(w0 + k), xk)
            a1.addProduct(BFloat16.widen(w1 + k), xk)
            a2.addProduct(BFloat16.widen(w2 + k), xk)
            a3.addProduct(BFloat16.widen(w3 + k), xk)
            k += 16
        }
        var (s0, s1, s2, s3) = (horizontalSum(a0), horizontalSum(a1), horizontalSum(a2), horizontalSum(a3))
        while k < n {
            s0 += BFloat16.float(w0[k]) * x[k]
            s1 += BFloat16.float(w1[k]) * x[k]
            s2 += BFloat16.float(w2[k]) * x[k]
            s3 += BFloat16.float(w3[k]) * x[k]
            k += 1
        }
        return (s0, s1, s2, s3)
    }

    /// y[j] += Σ_r x.r · w[r·stride + j] over `n` floats for the four bf16 rows r = 0…3, in one pass over `y`.
    @inline(__always)
    static func axpy4(
        _ y: UnsafeMutablePointer<Float>, _ x: (Float, Float, Float, Float), _ w: UnsafePointer<UInt16>,
        _ stride: Int, _ n: Int
    ) {
        let (w0, w1, w2, w3) = (w, w + stride, w + 2 * stride, w + 3 * stride)
        let (v0, v1, v2, v3) = (Vec(repeating: x.0), Vec(repeating: x.1), Vec(repeating: x.2), Vec(repeating: x.3))
        var j = 0
        while j + 16 <= n {
            var a = load(y + j), b = BFloat16.widen(w2 + j) * v2
            a.addProduct(BFloat16.widen(w0 + j), v0)
            b.addProduct(BFloat16.widen(w3 + j), v3)
            a.addProduct(BFloat16.widen(w1 + j), v1)
            store(a + b, y + j)
            j += 16
        }
        while j < n {
            y[j] +=
                BFloat16.float(w0[j]) * x.0 + BFloat16.float(w1[j]) * x.1 + BFloat16.float(w2[j]) * x.2
                + BFloat16.float(w3[j]) * x.3
            j += 1
        }
    }
}
