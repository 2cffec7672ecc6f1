/// GPT-2's activation, the tanh approximation (`gelu_new`, torch `gelu(approximate="tanh")`):
/// gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
///
/// Computed as x·σ(2u) with u the tanh argument, since ½(1 + tanh u) = σ(2u): one vector `exp` per
/// element and no cancellation for large |x|.
public enum GELU {
    @usableFromInline static let k0: Float = 0.797_884_560_802_865_4  // √(2/π)
    @usableFromInline static let k1: Float = 0.044_715

    /// out[n] = gelu(inp[n]); `out` may alias `inp`.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count n: Int) {
        let blocks = (n + 4095) / 4096
        Parallel.forEach(blocks, work: n * 20) { b in
            var i = b * 4096
            let end = min(n, i + 4096)
            while i + 16 <= end {
                let x = load(inp + i)
                let u = x * (x * x * k1 + 1) * k0
                store(x / (vexp(-2 * u) + 1), out + i)
                i += 16
            }
            while i < end {
                let x = inp[i]
                let u = k0 * (x + k1 * x * x * x)
                out[i] = x / (sexp(-2 * u) + 1)
                i += 1
            }
        }
    }

    /// dinp[n] += gelu′(inp[n]) · dout[n], where gelu′(x) = σ + x·σ(1−σ)·2u′ with σ = σ(2u),
    /// u′ = √(2/π)(1 + 3·0.044715·x²). `inp` is the pre-activation saved by the forward.
    /// `accumulate: false` overwrites `dinp` (a scratch buffer then needs no zeroing pass).
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, count n: Int,
        accumulate: Bool = true
    ) {
        let blocks = (n + 4095) / 4096
        Parallel.forEach(blocks, work: n * 30) { b in
            var i = b * 4096
            let end = min(n, i + 4096)
            while i + 16 <= end {
                let x = load(inp + i)
                let x2 = x * x
                let u = x * (x2 * k1 + 1) * k0
                let s = 1 / (vexp(-2 * u) + 1)
                let du = (x2 * (3 * k1) + 1) * (2 * k0)
                let grad = s + x * s * (1 - s) * du
                // Not 0·old: an unwritten scratch may hold NaN.
                let old = accumulate ? load(dinp + i) : Vec()
                store(old.addingProduct(grad, load(dout + i)), dinp + i)
                i += 16
            }
            while i < end {
                let x = inp[i]
                let u = k0 * (x + k1 * x * x * x)
                let s = 1 / (sexp(-2 * u) + 1)
                let du = 2 * k0 * (1 + 3 * k1 * x * x)
                dinp[i] = (accumulate ? dinp[i] : 0) + (s + x * s * (1 - s) * du) * dout[i]
                i += 1
            }
        }
    }
}
