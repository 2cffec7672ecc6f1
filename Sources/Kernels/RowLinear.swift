/// Matrix–vector products for one row (greedy decoding at batch 1), where the whole cost is reading the
/// weights from memory once per token.
///
/// A single core gets only part of the machine's memory bandwidth from one sequential read stream; it needs
/// several independent streams in flight. OpenBLAS's `sgemv` read GPT-2's weights at 16–18 GB/s on the target
/// (2 vCPUs), for both layouts. These loops split the weights over the cores and read 4–8 separate rows at
/// once in each: 20–25 GB/s measured on the same shapes (see eval/BENCHMARKS.md, "Generation").
///
/// The sums run in a different order from `sgemv`'s, so results differ from it in the last bits. The work is
/// cut into blocks of fixed size (weight rows here, whatever the thread count), so the order is the same on
/// any number of threads.
enum RowLinear {
    /// Rows of `W[OC, C]` read together per block (far apart: one from each quarter of the block).
    static let outputStreams = 4
    /// Rows of `W[OC, C]` per block of `outputMajor` (each block's rows are dotted independently).
    static let outputRowsPerBlock = 256
    /// Rows of `W[C, OC]` (input features) per block of `inputMajor`, whose partial sums are added in block
    /// order: 4 blocks for GPT-2's 768 features, 16 for its 3072.
    static let inputRowsPerBlock = 192

    /// out[o] = inp · W[o, :] (+ out when `accumulate`) for W `[OC, C]` (`nn.Linear`, the tied LM head).
    static func outputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        Parallel.forEachBlock(oc, size: outputRowsPerBlock, work: 2 * c * oc) { range in
            // Rows o, o+q, o+2q, o+3q go together: four streams from four distant parts of the block.
            let q = range.count / outputStreams
            let first = range.lowerBound
            for o in first..<(first + q) {
                let (s0, s1, s2, s3) = dot4(inp, weight + o * c, q * c, c)
                let (y0, y1, y2, y3) = (out + o, out + o + q, out + o + 2 * q, out + o + 3 * q)
                y0.pointee = accumulate ? y0.pointee + s0 : s0
                y1.pointee = accumulate ? y1.pointee + s1 : s1
                y2.pointee = accumulate ? y2.pointee + s2 : s2
                y3.pointee = accumulate ? y3.pointee + s3 : s3
            }
            for o in (first + outputStreams * q)..<range.upperBound {
                let s = dot(inp, weight + o * c, c)  // at most three rows per block: SIMDMath's plain dot
                out[o] = accumulate ? out[o] + s : s
            }
        }
    }

    /// out[o] = Σ_i inp[i] · W[i, o] (+ out when `accumulate`) for W `[C, OC]` (Hugging Face `Conv1D`).
    ///
    /// Each block of `inputRowsPerBlock` input rows sums its share of the product into its own partial vector
    /// (kept in L1: at most a few thousand floats); the partials are added at the end in block order, so the
    /// result depends on neither the thread count nor thread timing.
    static func inputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        let parts = Parallel.blockCount(c, size: inputRowsPerBlock)
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: parts * oc)
        defer { partial.deallocate() }
        Parallel.forEachBlock(c, size: inputRowsPerBlock, work: 2 * c * oc) { rows in
            let y = partial + rows.lowerBound / inputRowsPerBlock * oc
            y.initialize(repeating: 0, count: oc)
            // Four distant segments of the rows, two adjacent rows from each per pass: four long streams.
            let q = rows.count / 8 * 2
            for i in stride(from: rows.lowerBound, to: rows.lowerBound + q, by: 2) {
                axpy8(y, inp + i, weight + i * oc, oc, segment: q)
            }
            for i in (rows.lowerBound + 4 * q)..<rows.upperBound { axpy(y, inp[i], weight + i * oc, oc) }
        }
        if !accumulate { out.update(repeating: 0, count: oc) }
        for p in 0..<parts { addInPlace(out, partial + p * oc, oc) }
    }

    // MARK: - Inner loops

    /// The dot products of `x` with the four rows `w`, `w + stride`, `w + 2·stride`, `w + 3·stride`, each `n`
    /// long.
    @inline(__always)
    static func dot4(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ stride: Int, _ n: Int
    ) -> (Float, Float, Float, Float) {
        let (w0, w1, w2, w3) = (w, w + stride, w + 2 * stride, w + 3 * stride)
        var a0 = Vec(), a1 = Vec(), a2 = Vec(), a3 = Vec()
        var k = 0
        while k + 16 <= n {
            let xk = load(x + k)
            a0.addProduct(load(w0 + k), xk)
            a1.addProduct(load(w1 + k), xk)
            a2.addProduct(load(w2 + k), xk)
            a3.addProduct(load(w3 + k), xk)
            k += 16
        }
        var (s0, s1, s2, s3) = (horizontalSum(a0), horizontalSum(a1), horizontalSum(a2), horizontalSum(a3))
        while k < n {
            s0 += w0[k] * x[k]
            s1 += w1[k] * x[k]
            s2 += w2[k] * x[k]
            s3 += w3[k] * x[k]
            k += 1
        }
        return (s0, s1, s2, s3)
    }

    /// y[j] += Σ_r x[r] · w[r·n + j] over `n` floats for the eight rows r ∈ {0, 1, s, s+1, 2s, 2s+1, 3s, 3s+1}
    /// (`s` = `segment`), in one pass over `y`.
    @inline(__always)
    static func axpy8(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int, segment s: Int
    ) {
        let r = (0, 1, s, s + 1, 2 * s, 2 * s + 1, 3 * s, 3 * s + 1)
        let (x0, x1, x2, x3) = (x[r.0], x[r.1], x[r.2], x[r.3])
        let (x4, x5, x6, x7) = (x[r.4], x[r.5], x[r.6], x[r.7])
        let (v0, v1, v2, v3) = (Vec(repeating: x0), Vec(repeating: x1), Vec(repeating: x2), Vec(repeating: x3))
        let (v4, v5, v6, v7) = (Vec(repeating: x4), Vec(repeating: x5), Vec(repeating: x6), Vec(repeating: x7))
        let (w0, w1, w2, w3) = (w + r.0 * n, w + r.1 * n, w + r.2 * n, w + r.3 * n)
        let (w4, w5, w6, w7) = (w + r.4 * n, w + r.5 * n, w + r.6 * n, w + r.7 * n)
        var j = 0
        while j + 16 <= n {
            // Two independent chains halve the dependent FMA latency per output vector.
            var a = load(y + j), b = load(w4 + j) * v4
            a.addProduct(load(w0 + j), v0)
            b.addProduct(load(w5 + j), v5)
            a.addProduct(load(w1 + j), v1)
            b.addProduct(load(w6 + j), v6)
            a.addProduct(load(w2 + j), v2)
            b.addProduct(load(w7 + j), v7)
            a.addProduct(load(w3 + j), v3)
            store(a + b, y + j)
            j += 16
        }
        while j < n {
            var a = y[j], b = w4[j] * x4
            a += w0[j] * x0
            b += w5[j] * x5
            a += w1[j] * x1
            b += w6[j] * x6
            a += w2[j] * x2
            b += w7[j] * x7
            a += w3[j] * x3
            y[j] = a + b
            j += 1
        }
    }
}

/// Σ of the lanes by halving (8 + 4 + 2 + 1 vector adds). `SIMD.sum()` adds the 16 lanes one after another,
/// a 16-add dependency chain per row that costs as much as streaming the row on the LM head.
@inlinable @inline(__always)
func horizontalSum(_ v: Vec) -> Float {
    let h8 = v.lowHalf + v.highHalf
    let h4 = h8.lowHalf + h8.highHalf
    let h2 = h4.lowHalf + h4.highHalf
    return h2[0] + h2[1]
}
