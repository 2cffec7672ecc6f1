/// Row-wise softmax and log-softmax (for decoding: sampling probabilities, beam scores).
public enum Softmax {
    /// Returns log Σ exp(x[i]) of one row of `n >= 1` floats, stably (max subtracted first).
    @inlinable
    public static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let m = maxElement(x, n)
        guard m > -.infinity else { return -.infinity }
        let mv = Vec(repeating: m)
        var acc = Vec()
        var i = 0
        while i + 16 <= n {
            acc += vexp(load(x + i) - mv)
            i += 16
        }
        var s = acc.sum()
        while i < n {
            s += sexp(x[i] - m)
            i += 1
        }
        return m + logf(s)
    }

    /// out[r, :] = softmax(inp[r, :]) for `rows` rows of `cols`; `out` may alias `inp`. A row of all −∞
    /// (everything masked) becomes all zeros.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int, cols: Int) {
        Parallel.forEach(rows, work: rows * cols * 8) { r in
            let x = inp + r * cols
            let y = out + r * cols
            let lse = logSumExp(x, cols)
            guard lse > -.infinity else { y.update(repeating: 0, count: cols); return }
            map(y, x, cols) { vexp($0 - Vec(repeating: lse)) }
        }
    }

    /// out[r, :] = log softmax(inp[r, :]); `out` may alias `inp`.
    public static func logForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int, cols: Int) {
        Parallel.forEach(rows, work: rows * cols * 8) { r in
            let x = inp + r * cols
            let lse = logSumExp(x, cols)
            map(out + r * cols, x, cols) { $0 - Vec(repeating: lse) }
        }
    }

    @inlinable @inline(__always)
    static func map(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, _ f: (Vec) -> Vec) {
        var i = 0
        while i + 16 <= n {
            store(f(load(x + i)), y + i)
            i += 16
        }
        while i < n {
            y[i] = f(Vec(repeating: x[i]))[0]
            i += 1
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
