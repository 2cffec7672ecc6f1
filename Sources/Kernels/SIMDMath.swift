/// Vector helpers for the hot loops.
///
/// Plain scalar pointer loops were not auto-vectorised when measured, so the kernels work in `SIMD16<Float>`
/// (one AVX-512 register, or two AVX2 registers: `-target-cpu native` picks) with a scalar tail. `exp` is a Cephes-style polynomial:
/// there is no vector `exp` in the standard library, and GELU and softmax need one per element.
public typealias Vec = SIMD16<Float>

@inlinable @inline(__always)
func load(_ p: UnsafePointer<Float>) -> Vec {
    UnsafeRawPointer(p).loadUnaligned(as: Vec.self)
}

@inlinable @inline(__always)
func store(_ v: Vec, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec.self)
}

/// e^x for every lane, relative error about 2 ulp on [-87, 88]; inputs outside are clamped (so a masked
/// score far below the maximum yields ~1e-38 rather than 0, which no sum can see).
@inlinable @inline(__always)
public func vexp(_ v: Vec) -> Vec {
    // Not `clamped(lowerBound:upperBound:)`: that generic method was not specialised and cost more than the
    // whole polynomial (seen in perf).
    let lo = Vec(repeating: -87.3), hi = Vec(repeating: 88.3)
    let x0 = v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi)
    // n = round(x / ln 2) via the 1.5·2^23 trick: adding it leaves n in the low mantissa bits.
    let magic = Vec(repeating: 12_582_912)
    let t = x0 * 1.442_695_04 + magic
    let n = t - magic
    var x = x0 - n * 0.693_359_375
    x = x - n * -2.121_944_4e-4
    let z = x * x
    var y = Vec(repeating: 1.987_569_15e-4)
    y = y * x + 1.398_199_95e-3
    y = y * x + 8.333_451_9e-3
    y = y * x + 4.166_579_59e-2
    y = y * x + 1.666_666_55e-1
    y = y * x + 5.000_000_12e-1
    y = y * z + x + 1
    let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
    let scale = unsafeBitCast((ni &+ 127) &<< 23, to: Vec.self)
    return y * scale
}

/// Scalar e^x with the same polynomial, for tails (so a row's lanes and its tail agree to the bit pattern
/// family; `Foundation.exp` would also do, this keeps the kernels Foundation-free).
@inlinable @inline(__always)
public func sexp(_ x: Float) -> Float {
    vexp(Vec(repeating: x))[0]
}

/// Σ a[i]·b[i] over `n` floats, accumulated in Float lanes.
@inlinable
public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Vec()
    var i = 0
    while i + 16 <= n {
        acc.addProduct(load(a + i), load(b + i))
        i += 16
    }
    var s = acc.sum()
    while i < n {
        s += a[i] * b[i]
        i += 1
    }
    return s
}

/// y[i] += alpha · x[i] over `n` floats.
@inlinable
public func axpy(_ y: UnsafeMutablePointer<Float>, _ alpha: Float, _ x: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    let a = Vec(repeating: alpha)
    while i + 16 <= n {
        store(load(y + i).addingProduct(a, load(x + i)), y + i)
        i += 16
    }
    while i < n {
        y[i] += alpha * x[i]
        i += 1
    }
}

/// y[i] += x[i] over `n` floats.
@inlinable
public func addInPlace(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 16 <= n {
        store(load(y + i) + load(x + i), y + i)
        i += 16
    }
    while i < n {
        y[i] += x[i]
        i += 1
    }
}

/// Largest of `n >= 1` floats.
@inlinable
public func maxElement(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = Vec(repeating: -.infinity)
    var i = 0
    while i + 16 <= n {
        let v = load(x + i)
        m = m.replacing(with: v, where: v .> m)  // generic `pointwiseMax` was not specialised (perf)
        i += 16
    }
    var s = m.max()
    while i < n {
        s = Swift.max(s, x[i])
        i += 1
    }
    return s
}

/// Σ x[i] over `n` floats.
@inlinable
public func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Vec()
    var i = 0
    while i + 16 <= n {
        acc += load(x + i)
        i += 16
    }
    var s = acc.sum()
    while i < n {
        s += x[i]
        i += 1
    }
    return s
}
