/// The inner loops of attention for one (row, head), shared by forward and backward.
///
/// Scores against many keys are computed from a transposed copy of the keys (`[hd, stride]`): for each
/// dimension one broadcast of q[d] multiplies 16 keys at once, instead of one horizontal reduction per
/// key as a dot product needs. Weighted sums of rows keep their accumulators in registers.
enum AttentionMath {
    /// dst[d·stride + s] = src[s·hd + d] for s < n: `[n, hd]` rows to `[hd, stride]` columns.
    @inlinable
    static func transpose(
        _ dst: UnsafeMutablePointer<Float>, stride: Int, _ src: UnsafePointer<Float>, rows n: Int, hd: Int
    ) {
        for s in 0..<n {
            let row = src + s * hd
            for d in 0..<hd { dst[d * stride + s] = row[d] }
        }
    }

    /// out[s] = Σ_d x[d]·kt[d·stride + s] for s < n (n rounded up to 16; `stride` must allow it).
    @inlinable
    static func scores(
        _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ kt: UnsafePointer<Float>, stride: Int, n: Int,
        hd: Int
    ) {
        var s = 0
        // Four vectors (64 keys) per pass: four independent FMA chains hide the FMA latency.
        while s + 64 <= n {
            var a0 = Vec(), a1 = Vec(), a2 = Vec(), a3 = Vec()
            for d in 0..<hd {
                let xd = Vec(repeating: x[d])
                let k = kt + d * stride + s
                a0.addProduct(xd, load(k))
                a1.addProduct(xd, load(k + 16))
                a2.addProduct(xd, load(k + 32))
                a3.addProduct(xd, load(k + 48))
            }
            store(a0, out + s)
            store(a1, out + s + 16)
            store(a2, out + s + 32)
            store(a3, out + s + 48)
            s += 64
        }
        while s < n {
            var a = Vec()
            for d in 0..<hd { a.addProduct(Vec(repeating: x[d]), load(kt + d * stride + s)) }
            store(a, out + s)
            s += 16
        }
    }

    /// out[0..<hd] (+)= Σ_{s < n, w[s] ≠ 0} w[s]·rows[s·hd ..< s·hd+hd].
    @inlinable
    static func weightedRowSum(
        _ out: UnsafeMutablePointer<Float>, accumulate: Bool, _ w: UnsafePointer<Float>, _ rows: UnsafePointer<Float>,
        n: Int, hd: Int
    ) {
        var d0 = 0
        while d0 + 64 <= hd {
            var a0 = accumulate ? load(out + d0) : Vec(), a1 = accumulate ? load(out + d0 + 16) : Vec()
            var a2 = accumulate ? load(out + d0 + 32) : Vec(), a3 = accumulate ? load(out + d0 + 48) : Vec()
            for s in 0..<n where w[s] != 0 {
                let ws = Vec(repeating: w[s])
                let r = rows + s * hd + d0
                a0.addProduct(ws, load(r))
                a1.addProduct(ws, load(r + 16))
                a2.addProduct(ws, load(r + 32))
                a3.addProduct(ws, load(r + 48))
            }
            store(a0, out + d0)
            store(a1, out + d0 + 16)
            store(a2, out + d0 + 32)
            store(a3, out + d0 + 48)
            d0 += 64
        }
        if d0 < hd {
            if !accumulate { (out + d0).update(repeating: 0, count: hd - d0) }
            for s in 0..<n where w[s] != 0 { axpy(out + d0, w[s], rows + s * hd + d0, hd - d0) }
        }
    }
}
