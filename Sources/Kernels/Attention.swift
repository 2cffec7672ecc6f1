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
    public static func forward(
        out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>?, q: UnsafePointer<Float>,
        keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>, keyMask: UnsafePointer<UInt8>, shape: Shape
    ) {
        let (nh, hd, nt, ns) = (shape.heads, shape.headDim, shape.queries, shape.keys)
        let scale = shape.scale
        Parallel.forEach(shape.batch * nh, work: shape.batch * nh * nt * ns * hd * 4) { task in
            let b = task / nh, h = task % nh
            let kb = k + task * shape.slotStride * hd
            let vb = v + task * shape.slotStride * hd
            let mask = keyMask + b * shape.slotStride
            let scratch = probs == nil ? UnsafeMutablePointer<Float>.allocate(capacity: ns) : nil
            defer { scratch?.deallocate() }
            for t in 0..<nt {
                let qt = q + (b * nt + t) * shape.queryStride + h * hd
                let ot = out + (b * nt + t) * shape.outStride + h * hd
                let row = probs.map { $0 + (task * nt + t) * ns } ?? scratch.unsafelyUnwrapped
                let last = shape.queryOffset + t
                var mx = -Float.infinity
                for s in 0...last {
                    if mask[s] != 0 {
                        let score = dot(qt, kb + s * hd, hd) * scale
                        row[s] = score
                        mx = max(mx, score)
                    } else {
                        row[s] = -.infinity
                    }
                }
                row.advanced(by: last + 1).update(repeating: 0, count: ns - last - 1)
                ot.update(repeating: 0, count: hd)
                guard mx > -.infinity else {
                    row.update(repeating: 0, count: last + 1)
                    continue
                }
                let total = expInPlace(row, last + 1, subtracting: mx)
                let inv = 1 / total
                for s in 0...last where row[s] != 0 {
                    row[s] *= inv
                    axpy(ot, row[s], vb + s * hd, hd)
                }
            }
        }
    }

    /// The mirror of `forward`: adds ∂L/∂q into `dq` (rows of `queryStride`, like `q`), and ∂L/∂k, ∂L/∂v
    /// into `dkeys`/`dvalues`, stores shaped like the forward's (`[B, NH, slotStride, hd]`), including
    /// the prefix and cached slots (which the caller folds into prefix gradients or drops).
    public static func backward(
        dq: UnsafeMutablePointer<Float>, dkeys: UnsafeMutablePointer<Float>, dvalues: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, probs: UnsafePointer<Float>, q: UnsafePointer<Float>,
        keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>, shape: Shape
    ) {
        let (nh, hd, nt, ns) = (shape.heads, shape.headDim, shape.queries, shape.keys)
        let scale = shape.scale
        Parallel.forEach(shape.batch * nh, work: shape.batch * nh * nt * ns * hd * 8) { task in
            let b = task / nh, h = task % nh
            let kb = k + task * shape.slotStride * hd
            let vb = v + task * shape.slotStride * hd
            let dkb = dkeys + task * shape.slotStride * hd
            let dvb = dvalues + task * shape.slotStride * hd
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: ns)
            defer { dp.deallocate() }
            for t in 0..<nt {
                let p = probs + (task * nt + t) * ns
                let qt = q + (b * nt + t) * shape.queryStride + h * hd
                let dqt = dq + (b * nt + t) * shape.queryStride + h * hd
                let dot_ = dout + (b * nt + t) * shape.outStride + h * hd
                let last = shape.queryOffset + t
                // dp[s] = dout·v_s and dv_s += p[s]·dout; then the softmax Jacobian:
                // dscore[s] = p[s]·(dp[s] − Σ p·dp).
                var weighted: Float = 0
                for s in 0...last where p[s] != 0 {
                    dp[s] = dot(dot_, vb + s * hd, hd)
                    weighted += p[s] * dp[s]
                    axpy(dvb + s * hd, p[s], dot_, hd)
                }
                for s in 0...last where p[s] != 0 {
                    let dscore = p[s] * (dp[s] - weighted) * scale
                    axpy(dqt, dscore, kb + s * hd, hd)
                    axpy(dkb + s * hd, dscore, qt, hd)
                }
            }
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
