/// Layer normalisation over the last axis (torch `nn.LayerNorm`, biased variance), llm.c
/// `layernorm_forward`/`layernorm_backward`.
public enum LayerNorm {
    /// Rows per block of the backward's parameter-gradient sums: each block sums its rows in order, and the
    /// blocks' partial sums are added in block order, so the result depends on the row count only.
    static let rowsPerBlock = 64

    /// out[N, C] = (inp − mean) · rstd · weight + bias, row by row; `mean[N]` and `rstd[N]` (1/σ) are
    /// saved for the backward when given.
    public static func forward(
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        rows n: Int, channels c: Int, epsilon: Float
    ) {
        Parallel.forEachBlock(n, size: rowsPerBlock, work: n * c * 8) { rows in
            for r in rows {
                let x = inp + r * c
                let y = out + r * c
                // Two passes (mean, then squared deviations) as torch does: one-pass E[x²]−E[x]² cancels
                // badly on the residual stream, whose mean can be large.
                let m = sum(x, c) / Float(c)
                var accumulated = Vec()
                var i = 0
                let mv = Vec(repeating: m)
                while i + 16 <= c {
                    let d = load(x + i) - mv
                    accumulated.addProduct(d, d)
                    i += 16
                }
                var v = accumulated.sum()
                while i < c {
                    v += (x[i] - m) * (x[i] - m)
                    i += 1
                }
                let s = 1 / (v / Float(c) + epsilon).squareRoot()
                let sv = Vec(repeating: s)
                i = 0
                while i + 16 <= c {
                    store((load(x + i) - mv) * sv * load(weight + i) + load(bias + i), y + i)
                    i += 16
                }
                while i < c {
                    y[i] = (x[i] - m) * s * weight[i] + bias[i]
                    i += 1
                }
                mean?[r] = m
                rstd?[r] = s
            }
        }
    }

    /// The mirror of `forward`: adds ∂L/∂inp into `dinp`, ∂L/∂weight into `dweight` and ∂L/∂bias into
    /// `dbias`, each only when given (a frozen LayerNorm passes nil for its parameters; the lowest
    /// trainable layer passes nil for `dinp`).
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows n: Int, channels c: Int
    ) {
        let wantParams = dweight != nil || dbias != nil
        let blocks = Parallel.blockCount(n, size: rowsPerBlock)
        // Each block of rows sums its parameter gradients privately; the partials are added in block order at
        // the end, so neither the thread count nor thread timing changes a bit.
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: wantParams ? blocks * 2 * c : 1)
        defer { partial.deallocate() }
        if wantParams { partial.initialize(repeating: 0, count: blocks * 2 * c) }
        Parallel.forEachBlock(n, size: rowsPerBlock, work: n * c * 12) { rows in
            let pw = partial + rows.lowerBound / rowsPerBlock * 2 * c
            let pb = pw + c
            for r in rows {
                let x = inp + r * c
                let g = dout + r * c
                let mv = Vec(repeating: mean[r])
                let sv = Vec(repeating: rstd[r])
                // dnorm = weight·dout; the input gradient needs the means of dnorm and dnorm·norm.
                var accD = Vec()
                var accDN = Vec()
                var i = 0
                while i + 16 <= c {
                    let norm = (load(x + i) - mv) * sv
                    let dnorm = load(weight + i) * load(g + i)
                    accD += dnorm
                    accDN.addProduct(dnorm, norm)
                    if wantParams {
                        store(load(pb + i) + load(g + i), pb + i)
                        store(load(pw + i).addingProduct(norm, load(g + i)), pw + i)
                    }
                    i += 16
                }
                var sD = accD.sum()
                var sDN = accDN.sum()
                let tail = i
                while i < c {
                    let norm = (x[i] - mean[r]) * rstd[r]
                    let dnorm = weight[i] * g[i]
                    sD += dnorm
                    sDN += dnorm * norm
                    if wantParams {
                        pb[i] += g[i]
                        pw[i] += norm * g[i]
                    }
                    i += 1
                }
                guard let dinp else { continue }
                let meanD = sD / Float(c)
                let meanDN = sDN / Float(c)
                let d = dinp + r * c
                let md = Vec(repeating: meanD)
                let mdn = Vec(repeating: meanDN)
                i = 0
                while i + 16 <= c {
                    let norm = (load(x + i) - mv) * sv
                    let dnorm = load(weight + i) * load(g + i)
                    store(load(d + i) + (dnorm - md - norm * mdn) * sv, d + i)
                    i += 16
                }
                i = tail
                while i < c {
                    let norm = (x[i] - mean[r]) * rstd[r]
                    d[i] += (weight[i] * g[i] - meanD - norm * meanDN) * rstd[r]
                    i += 1
                }
            }
        }
        guard wantParams else { return }
        for block in 0..<blocks {
            if let dweight { addInPlace(dweight, partial + block * 2 * c, c) }
            if let dbias { addInPlace(dbias, partial + block * 2 * c + c, c) }
        }
    }
}
