/// Finds NaN and infinities in `Float` buffers, fast enough to run on every tensor a checkpoint load converts.
enum FiniteScan {
    /// The index of the first NaN or infinity among the `count` values at `values`, or nil when all are finite.
    ///
    /// A float is non-finite iff its exponent bits are all ones. The scan keeps the largest masked exponent in a
    /// 16-lane integer vector (no branch, no float compare, so it runs at memory speed) and looks for the index
    /// only when that maximum says there is one.
    static func firstNonFinite(_ values: UnsafePointer<Float>, count: Int) -> Int? {
        let exponentBits: UInt32 = 0x7F80_0000
        let raw = UnsafeRawPointer(values)
        var widest = SIMD16<UInt32>(repeating: 0)
        var i = 0
        while i + 16 <= count {
            let bits = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<UInt32>.self)
            widest = pointwiseMax(widest, bits & exponentBits)
            i += 16
        }
        var largest = widest.max()
        while i < count {
            largest = max(largest, values[i].bitPattern & exponentBits)
            i += 1
        }
        guard largest == exponentBits else { return nil }
        return (0..<count).first { !values[$0].isFinite }
    }

    /// How a non-finite value reads in an error message: `nan`, `inf` or `-inf`.
    static func describe(_ value: Float) -> String {
        value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf")
    }
}
