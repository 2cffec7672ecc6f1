/// Gradient checking by central differences, for kernels and the model backward.
///
/// The checked function runs in Float (as the kernels do); the scalar loss is accumulated in Double so
/// the difference quotient loses only the forward's own rounding. A test builds its loss as
/// L = Σ wᵢ·outᵢ with fixed random weights w, whose gradient with respect to the output is w itself.
public enum FiniteDifference {
    public struct Report: CustomStringConvertible, Sendable {
        /// Largest |numeric − analytic| / max(|numeric|, |analytic|, floor) over the checked entries, where
        /// floor is 1% of the largest analytic magnitude (entries far below the gradient's scale are
        /// compared in absolute terms).
        public var maxError: Double
        public var worstIndex: Int
        public var worstNumeric: Double
        public var worstAnalytic: Double
        public var checked: Int

        public var description: String {
            "max error \(maxError) at [\(worstIndex)] (numeric \(worstNumeric), analytic \(worstAnalytic)), \(checked) entries"
        }
    }

    /// Compares `analytic[i]` with (L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h for each `i` in `indices` (all when
    /// nil), perturbing `x` in place and restoring it bit for bit.
    public static func check(
        _ x: UnsafeMutablePointer<Float>, count: Int, analytic: [Float], indices: [Int]? = nil, step: Float = 1e-2,
        loss: () -> Double
    ) -> Report {
        let checkedIndices = indices ?? Array(0..<count)
        let scale = analytic.map { abs(Double($0)) }.max() ?? 0
        let floor = max(scale * 1e-2, 1e-6)
        var report = Report(maxError: 0, worstIndex: -1, worstNumeric: 0, worstAnalytic: 0, checked: 0)
        for i in checkedIndices {
            let saved = x[i]
            x[i] = saved + step
            let up = loss()
            x[i] = saved - step
            let down = loss()
            x[i] = saved
            // The actual perturbation, as represented in Float, is what the quotient must divide by.
            let h = Double(saved + step) - Double(saved - step)
            let numeric = (up - down) / h
            let a = Double(analytic[i])
            let error = abs(numeric - a) / max(abs(numeric), abs(a), floor)
            report.checked += 1
            if error > report.maxError || report.worstIndex < 0 {
                report.maxError = error
                report.worstIndex = i
                report.worstNumeric = numeric
                report.worstAnalytic = a
            }
        }
        return report
    }

    /// Σ weights[i]·values[i] in Double: a scalar loss whose gradient with respect to `values` is `weights`.
    public static func weightedSum(_ values: UnsafePointer<Float>, _ weights: [Float]) -> Double {
        var s = 0.0
        for i in 0..<weights.count { s += Double(values[i]) * Double(weights[i]) }
        return s
    }
}
