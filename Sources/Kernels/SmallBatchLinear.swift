/// Matrix products for a handful of rows (decoding: one token per beam), where the cost is streaming the
/// weights from memory once.
///
/// OpenBLAS packs (copies) the weight matrix even for 2–8 rows, so sgemm there costs several weight
/// passes, and one sgemv per row costs one pass per row. These loops read every weight once for up to
/// four rows at a time (groups of four for more), with the accumulators in registers.
enum SmallBatchLinear {
    /// Rows up to which `Linear.forward` uses these loops instead of sgemm (measured in CPU time on the
    /// target: the LM head [V, C] at 4 rows costs 1.2× one row, against 4× for per-row sgemv; for `[C, OC]`
    /// weights the strided column blocks gain less, and from 8 rows sgemm is as good).
    static func maxRows(_ layout: Linear.WeightLayout) -> Int { layout == .outputMajor ? 8 : 4 }

    /// out[r, :] = inp[r, :] · W (+ out when `accumulate`) for W `[C, OC]`, r < n.
    static func inputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows n: Int,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        let blocks = (oc + 63) / 64
        let zeros = UnsafeMutablePointer<Float>.allocate(capacity: c)
        zeros.initialize(repeating: 0, count: c)
        defer { zeros.deallocate() }
        Parallel.chunks(blocks, work: n * c * oc * 2) { _, range in
            let tail = UnsafeMutablePointer<Float>.allocate(capacity: 4 * 64)
            defer { tail.deallocate() }
            for group in stride(from: 0, to: n, by: 4) {
                // Rows past n read zeros and their results are dropped.
                let x = (0..<4).map { group + $0 < n ? inp + (group + $0) * c : UnsafePointer(zeros) }
                for block in range {
                    let j = block * 64
                    let full = j + 64 <= oc
                    var a = [Vec](repeating: Vec(), count: 16)
                    a.withUnsafeMutableBufferPointer { acc in
                        let (x0, x1, x2, x3) = (x[0], x[1], x[2], x[3])
                        var a00 = Vec(), a01 = Vec(), a02 = Vec(), a03 = Vec()
                        var a10 = Vec(), a11 = Vec(), a12 = Vec(), a13 = Vec()
                        var a20 = Vec(), a21 = Vec(), a22 = Vec(), a23 = Vec()
                        var a30 = Vec(), a31 = Vec(), a32 = Vec(), a33 = Vec()
                        for i in 0..<c {
                            let wr: UnsafePointer<Float>
                            if full {
                                wr = weight + i * oc + j
                            } else {
                                // The last, partial block: copy the valid columns, pad with zeros.
                                tail.update(repeating: 0, count: 64)
                                tail.update(from: weight + i * oc + j, count: oc - j)
                                wr = UnsafePointer(tail)
                            }
                            let w0 = load(wr), w1 = load(wr + 16), w2 = load(wr + 32), w3 = load(wr + 48)
                            var s = Vec(repeating: x0[i])
                            a00.addProduct(s, w0); a01.addProduct(s, w1); a02.addProduct(s, w2); a03.addProduct(s, w3)
                            s = Vec(repeating: x1[i])
                            a10.addProduct(s, w0); a11.addProduct(s, w1); a12.addProduct(s, w2); a13.addProduct(s, w3)
                            s = Vec(repeating: x2[i])
                            a20.addProduct(s, w0); a21.addProduct(s, w1); a22.addProduct(s, w2); a23.addProduct(s, w3)
                            s = Vec(repeating: x3[i])
                            a30.addProduct(s, w0); a31.addProduct(s, w1); a32.addProduct(s, w2); a33.addProduct(s, w3)
                        }
                        (acc[0], acc[1], acc[2], acc[3]) = (a00, a01, a02, a03)
                        (acc[4], acc[5], acc[6], acc[7]) = (a10, a11, a12, a13)
                        (acc[8], acc[9], acc[10], acc[11]) = (a20, a21, a22, a23)
                        (acc[12], acc[13], acc[14], acc[15]) = (a30, a31, a32, a33)
                    }
                    for r in 0..<min(4, n - group) {
                        let y = out + (group + r) * oc + j
                        for v in 0..<4 {
                            let count = min(16, oc - j - 16 * v)
                            guard count > 0 else { break }
                            for e in 0..<count { y[16 * v + e] = (accumulate ? y[16 * v + e] : 0) + a[4 * r + v][e] }
                        }
                    }
                }
            }
        }
    }

    /// out[r, o] = inp[r, :] · W[o, :] (+ out when `accumulate`) for W `[OC, C]` (the tied LM head), r < n.
    static func outputMajor(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows n: Int,
        inFeatures c: Int, outFeatures oc: Int, accumulate: Bool
    ) {
        let zeros = UnsafeMutablePointer<Float>.allocate(capacity: c)
        zeros.initialize(repeating: 0, count: c)
        defer { zeros.deallocate() }
        let vectors = c / 16
        Parallel.chunks(oc, work: n * c * oc * 2) { _, range in
            for group in stride(from: 0, to: n, by: 4) {
                let x = (0..<4).map { group + $0 < n ? inp + (group + $0) * c : UnsafePointer(zeros) }
                let (x0, x1, x2, x3) = (x[0], x[1], x[2], x[3])
                for o in range {
                    let w = weight + o * c
                    var a0 = Vec(), a1 = Vec(), a2 = Vec(), a3 = Vec()
                    for k in 0..<vectors {
                        let wk = load(w + 16 * k)
                        a0.addProduct(wk, load(x0 + 16 * k))
                        a1.addProduct(wk, load(x1 + 16 * k))
                        a2.addProduct(wk, load(x2 + 16 * k))
                        a3.addProduct(wk, load(x3 + 16 * k))
                    }
                    var (s0, s1, s2, s3) = (a0.sum(), a1.sum(), a2.sum(), a3.sum())
                    for i in (16 * vectors)..<c {
                        s0 += w[i] * x0[i]
                        s1 += w[i] * x1[i]
                        s2 += w[i] * x2[i]
                        s3 += w[i] * x3[i]
                    }
                    let rows = min(4, n - group)
                    let y = out + group * oc + o
                    y[0] = (accumulate ? y[0] : 0) + s0
                    if rows > 1 { y[oc] = (accumulate ? y[oc] : 0) + s1 }
                    if rows > 2 { y[2 * oc] = (accumulate ? y[2 * oc] : 0) + s2 }
                    if rows > 3 { y[3 * oc] = (accumulate ? y[3 * oc] : 0) + s3 }
                }
            }
        }
    }
}
