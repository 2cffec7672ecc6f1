/// Finding NaN and infinity in float buffers: what a diverged run leaves in its values, and what no adapter or
/// checkpoint may carry (a NaN adapter would load and then generate garbage without a word).
public enum FiniteValues {
    /// The first NaN or infinity in `values` (its index and value), or nil when every value is finite.
    ///
    /// `x * 0` is 0 for every finite `x` and NaN otherwise, so a chunk is scanned with a sum that the compiler
    /// vectorises; only a chunk whose sum is not 0 is searched element by element.
    public static func firstNonFinite(_ values: UnsafeBufferPointer<Float>) -> (index: Int, value: Float)? {
        let chunk = 4096
        var start = 0
        while start < values.count {
            let end = min(start + chunk, values.count)
            var probe: Float = 0
            for i in start..<end { probe += values[i] * 0 }
            if probe != 0 {  // NaN != 0 too
                for i in start..<end where !values[i].isFinite { return (i, values[i]) }
            }
            start = end
        }
        return nil
    }

    public static func firstNonFinite(_ values: [Float]) -> (index: Int, value: Float)? {
        values.withUnsafeBufferPointer { firstNonFinite($0) }
    }

    public static func firstNonFinite(_ values: UnsafeMutableBufferPointer<Float>) -> (index: Int, value: Float)? {
        firstNonFinite(UnsafeBufferPointer(values))
    }
}
