/// The number format of the matrix products (`--precision`).
///
/// `bf16` is what `torch.autocast("cpu", dtype=torch.bfloat16)` does to GPT-2: the inputs of every matrix
/// product (the Conv1D projections, q·kᵀ and p·v in attention, the LM head — torch's lower-precision op list
/// on CPU: `mm`, `addmm`, `matmul`, `bmm`, `baddbmm`, `linear`) are rounded to bfloat16, products are summed in
/// f32 and the outputs stay f32 here (torch rounds them to bf16 too). LayerNorm, softmax, GELU, the residual
/// stream, the loss, every trainable parameter and the optimizer state stay f32. Frozen weights are rounded
/// once, when the model is made, instead of at every product as autocast does.
public enum Precision: String, Sendable, CaseIterable, Codable {
    case fp32, bf16
}

/// Conversions between f32 and bfloat16 (the upper 16 bits of an f32), rounding to nearest even as torch's
/// `c10::BFloat16` does; a NaN becomes torch's quiet NaN `0x7FC0`, infinities stay infinite, values above the
/// largest bf16 round to infinity.
public enum BFloat16 {
    /// The bf16 bits nearest `x` (ties to even).
    @inlinable @inline(__always)
    public static func bits(_ x: Float) -> UInt16 {
        let u = x.bitPattern
        if u & 0x7FFF_FFFF > 0x7F80_0000 { return 0x7FC0 }
        return UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
    }

    /// The f32 value of bf16 bits (exact).
    @inlinable @inline(__always)
    public static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// `x` rounded to the nearest bf16, as an f32.
    @inlinable @inline(__always)
    public static func rounded(_ x: Float) -> Float { float(bits(x)) }

    /// The sixteen lanes' bf16 bits, kept in the upper half of each 32-bit lane (the lower half zero).
    @inlinable @inline(__always)
    static func roundedBits(_ v: Vec) -> SIMD16<UInt32> {
        let u = unsafeBitCast(v, to: SIMD16<UInt32>.self)
        let nan = (u & 0x7FFF_FFFF) .> 0x7F80_0000
        let r = (u &+ 0x7FFF &+ ((u &>> 16) & 1)) & 0xFFFF_0000
        return r.replacing(with: 0x7FC0_0000, where: nan)
    }

    /// The sixteen lanes rounded to bf16, as f32.
    @inlinable @inline(__always)
    public static func rounded(_ v: Vec) -> Vec { unsafeBitCast(roundedBits(v), to: Vec.self) }

    /// Sixteen bf16 values widened to f32 (in registers: a zero-extension and a shift).
    @inlinable @inline(__always)
    static func widen(_ p: UnsafePointer<UInt16>) -> Vec {
        let h = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt16>.self)
        return unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: h) &<< 16, to: Vec.self)
    }

    /// out[i] = x[i] rounded to bf16 (as f32) for i < n; `out` may be `x`.
    public static func round(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            store(rounded(load(x + i)), out + i)
            i += 16
        }
        while i < n {
            out[i] = rounded(x[i])
            i += 1
        }
    }

    /// x[i] rounded to bf16 in place for i < n.
    public static func roundInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) { round(x, x, n) }

    /// out[i] = the bf16 bits of x[i] for i < n.
    public static func narrow(_ out: UnsafeMutablePointer<UInt16>, _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            let r = roundedBits(load(x + i)) &>> 16
            UnsafeMutableRawPointer(out + i).storeBytes(
                of: SIMD16<UInt16>(truncatingIfNeeded: r), as: SIMD16<UInt16>.self)
            i += 16
        }
        while i < n {
            out[i] = bits(x[i])
            i += 1
        }
    }

    /// out[i] = the f32 value of the bf16 x[i] for i < n.
    public static func widen(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<UInt16>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            store(widen(x + i), out + i)
            i += 16
        }
        while i < n {
            out[i] = float(x[i])
            i += 1
        }
    }
}
