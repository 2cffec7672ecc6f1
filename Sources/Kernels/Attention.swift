/// Causal multi-head self-attention over a key/value store (GPT-2's eager attention):
/// out = softmax(q·kᵀ/√d + mask) · v, per (batch row, head).
///
/// Keys and values live in a store `[B, NH, slotStride, hd]` whose first `keys` slots are filled: a
/// Prefix-Tuning prefix, then tokens already cached, then this call's tokens. Query t sits at slot
/// `queryOffset + t` and sees every slot s ≤ queryOffset + t whose `keyMask[b, s]` is nonzero (causal +
/// padding mask, the prefix always visible). A query that sees no key (a left pad at the start of a row)
/// gets zero output, where torch would average over masked keys; such positions are never read.
public enum Attention {
    /// Sizes and strides shared by `forward` and `backward`.
    public struct Shape: Sendable {
        public var batch: Int
        public var queries: Int
        public var heads: Int
        public var headDim: Int
        /// Slot of query 0 (prefix length + tokens cached before this call).
        public var queryOffset: Int
        /// Slots stored per (row, head) in the key/value store (its capacity).
        public var slotStride: Int
        /// Floats between consecutive query rows (3C when reading q from the fused qkv projection).
        public var queryStride: Int
        /// Floats between consecutive output rows (C).
        public var outStride: Int

        public init(
            batch: Int, queries: Int, heads: Int, headDim: Int, queryOffset: Int, slotStride: Int,
            queryStride: Int, outStride: Int
        ) {
            self.batch = batch
            self.queries = queries
            self.heads = heads
            self.headDim = headDim
            self.queryOffset = queryOffset
            self.slotStride = slotStride
            self.queryStride = queryStride
            self.outStride = outStride
        }

        /// Filled slots after this call: every query sees at most this many keys.
        public var keys: Int { queryOffset + queries }
        /// Floats in the saved probabilities `[B, NH, T, keys]`.
        public var probabilityCount: Int { batch * heads * queries * keys }
        var scale: Float { 1 / Float(headDim).squareRoot() }
    }

    /// out[b, t, h·hd ..< (h+1)·hd] = attention of query row (b, t), head h, over the store.
    /// `probs` `[B, NH, T, keys]` receives the softmax (zeros beyond the causal limit and at masked
    /// slots) when the backward will need it; pass nil at inference.
    /// `keyMask` is `[B, slotStride]`, nonzero where a slot holds a real token or a prefix entry.
    /// `dropout` (training) drops probabilities before they weight the values, element (b, h, t, s) of
    /// `[B, NH, T, keys]` by `dropout.keeps`; `probs` still receives the softmax before dropout, which is
    /// what the backward needs besides the mask it recomputes.
    /// `bf16Inputs` (autocast's p·v): the probabilities are rounded to bf16 before they weight the values
    /// (q, k and v arrive rounded already; `probs` keeps the f32 softmax).
    public static func forward(
        out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>?, q: UnsafePointer<Float>,
        keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>, keyMask: UnsafePointer<UInt8>, shape: Shape,
        dropout: DropoutMask? = nil, bf16Inputs: Bool = false
    ) {
        let (nh, hd, nt, ns) = (shape.heads, shape.headDim, shape.queries, shape.keys)
        let scale = shape.scale
        // With several queries the keys are transposed once per (row, head) for the 16-keys-at-once score
        // loop; a single decoding query uses dot products (the transpose would cost as much as the scores).
        let transposed = nt >= 4
        let stride = (ns + 63) / 64 * 64
        Parallel.forEach(shape.batch * nh, work: shape.batch * nh * nt * ns * hd * 4) { task in
            let b = task / nh, h = task % nh
            let kb = k + task * shape.slotStride * hd
            let vb = v + task * shape.slotStride * hd
            let mask = keyMask + b * shape.slotStride
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: stride * (transposed ? hd + 1 : 1))
            defer { scratch.deallocate() }
            let row = scratch, kt = scratch + stride
            if transposed { AttentionMath.transpose(kt, stride: stride, kb, rows: ns, hd: hd) }
            for t in 0..<nt {
                let qt = q + (b * nt + t) * shape.queryStride + h * hd
                let ot = out + (b * nt + t) * shape.outStride + h * hd
                let n = shape.queryOffset + t + 1
                if transposed {
                    AttentionMath.scores(row, qt, kt, stride: stride, n: n, hd: hd)
                } else {
                    for s in 0..<n { row[s] = dot(qt, kb + s * hd, hd) }
                }
                var mx = -Float.infinity
                for s in 0..<n {
                    if mask[s] != 0 {
                        row[s] *= scale
                        mx = max(mx, row[s])
                    } else {
                        row[s] = -.infinity
                    }
                }
                let saved = probs.map { $0 + (task * nt + t) * ns }
                guard mx > -.infinity else {
                    ot.update(repeating: 0, count: hd)
                    saved?.update(repeating: 0, count: ns)
                    continue
                }
                let inv = 1 / expInPlace(row, n, subtracting: mx)
                scaleInPlace(row, inv, n)
                if let saved {
                    saved.update(from: row, count: n)
                    (saved + n).update(repeating: 0, count: ns - n)
                }
                if let dropout {
                    let first = (task * nt + t) * ns
                    for s in 0..<n { row[s] = dropout.keeps(first + s) ? row[s] * dropout.scale : 0 }
                }
                if bf16Inputs { BFloat16.roundInPlace(row, n) }
                AttentionMath.weightedRowSum(ot, accumulate: false, row, vb, n: n, hd: hd)
            }
        }
    }

    /// The mirror of `forward`: adds ∂L/∂q into `dq` (rows of `queryStride`, like `q`), and ∂L/∂k, ∂L/∂v
    /// into `dkeys`/`dvalues`, stores shaped like the forward's (`[B, NH, slotStride, hd]`), including
    /// the prefix and cached slots (which the caller folds into prefix gradients or drops). `dropout` must
    /// be the forward's. `bf16Inputs` (autocast's backward products, `dout`, q, k and v arriving rounded):
    /// the weights of dv and the score gradients are rounded to bf16 before they enter products.
    public static func backward(
        dq: UnsafeMutablePointer<Float>, dkeys: UnsafeMutablePointer<Float>, dvalues: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, probs: UnsafePointer<Float>, q: UnsafePointer<Float>,
        keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>, shape: Shape, dropout: DropoutMask? = nil,
        bf16Inputs: Bool = false
    ) {
        let (nh, hd, nt, ns) = (shape.heads, shape.headDim, shape.queries, shape.keys)
        let scale = shape.scale
        let transposed = nt >= 4
        let stride = (ns + 63) / 64 * 64
        func weight(_ x: Float) -> Float { bf16Inputs ? BFloat16.rounded(x) : x }
        Parallel.forEach(shape.batch * nh, work: shape.batch * nh * nt * ns * hd * 8) { task in
            let b = task / nh, h = task % nh
            let kb = k + task * shape.slotStride * hd
            let vb = v + task * shape.slotStride * hd
            let dkb = dkeys + task * shape.slotStride * hd
            let dvb = dvalues + task * shape.slotStride * hd
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: stride * (transposed ? hd + 1 : 1))
            defer { scratch.deallocate() }
            let dp = scratch, vt = scratch + stride
            if transposed { AttentionMath.transpose(vt, stride: stride, vb, rows: ns, hd: hd) }
            for t in 0..<nt {
                let p = probs + (task * nt + t) * ns
                let qt = q + (b * nt + t) * shape.queryStride + h * hd
                let dqt = dq + (b * nt + t) * shape.queryStride + h * hd
                let g = dout + (b * nt + t) * shape.outStride + h * hd
                let n = shape.queryOffset + t + 1
                // dp[s] = dout·v_s and dv_s += p[s]·dout; then the softmax Jacobian:
                // dscore[s] = p[s]·(dp[s] − Σ p·dp), scaled as the scores were.
                if transposed {
                    AttentionMath.scores(dp, g, vt, stride: stride, n: n, hd: hd)
                } else {
                    for s in 0..<n { dp[s] = dot(g, vb + s * hd, hd) }
                }
                if let dropout {
                    // The values were weighted by the dropped probabilities p̃ = p·m/(1−rate): dv_s += p̃[s]·dout,
                    // and ∂L/∂p = m/(1−rate)·dp before the softmax Jacobian.
                    let first = (task * nt + t) * ns
                    for s in 0..<n {
                        let kept: Float = dropout.keeps(first + s) ? dropout.scale : 0
                        if p[s] != 0, kept != 0 { axpy(dvb + s * hd, weight(p[s] * kept), g, hd) }
                        dp[s] *= kept
                    }
                } else {
                    for s in 0..<n where p[s] != 0 { axpy(dvb + s * hd, weight(p[s]), g, hd) }
                }
                let weighted = dot(p, dp, n)
                for s in 0..<n where p[s] != 0 { dp[s] = p[s] * (dp[s] - weighted) * scale }
                for s in 0..<n where p[s] == 0 { dp[s] = 0 }
                if bf16Inputs { BFloat16.roundInPlace(dp, n) }
                AttentionMath.weightedRowSum(dqt, accumulate: true, dp, kb, n: n, hd: hd)
                for s in 0..<n where dp[s] != 0 { axpy(dkb + s * hd, dp[s], qt, hd) }
            }
        }
    }

    /// x[i] *= a for i < n.
    @inlinable
    static func scaleInPlace(_ x: UnsafeMutablePointer<Float>, _ a: Float, _ n: Int) {
        var i = 0
        let av = Vec(repeating: a)
        while i + 16 <= n {
            store(load(x + i) * av, x + i)
            i += 16
        }
        while i < n {
            x[i] *= a
            i += 1
        }
    }

    /// row[i] = exp(row[i] − m) for i < n, −∞ entries becoming exactly 0; returns the sum.
    @inlinable
    static func expInPlace(_ row: UnsafeMutablePointer<Float>, _ n: Int, subtracting m: Float) -> Float {
        let mv = Vec(repeating: m)
        let minusInf = Vec(repeating: -.infinity)
        var acc = Vec()
        var i = 0
        while i + 16 <= n {
            let x = load(row + i)
            let e = vexp(x - mv).replacing(with: 0, where: x .== minusInf)
            store(e, row + i)
            acc += e
            i += 16
        }
        var s = acc.sum()
        while i < n {
            row[i] = row[i] == -.infinity ? 0 : sexp(row[i] - m)
            s += row[i]
            i += 1
        }
        return s
    }
}
