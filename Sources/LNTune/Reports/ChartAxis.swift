import Foundation

/// One axis of a chart: the data range widened to round ticks (1, 2 or 5 × 10^k apart), and the map from
/// values to pixels.
struct ChartAxis {
    let minimum: Double
    let maximum: Double
    let ticks: [Double]

    /// An axis covering `values` (finite ones) with about `count` ticks; `includeZero` for bars.
    init(covering values: [Double], count: Int = 5, includeZero: Bool = false) {
        var low = values.filter(\.isFinite).min() ?? 0
        var high = values.filter(\.isFinite).max() ?? 1
        if includeZero { (low, high) = (min(low, 0), max(high, 0)) }
        if high - low < 1e-12 * max(abs(high), 1) {
            let pad = abs(high) > 0 ? abs(high) * 0.1 : 1
            (low, high) = (includeZero && low >= 0 ? low : low - pad, high + pad)
        }
        let step = Self.niceStep((high - low) / Double(max(count, 1)))
        let first = (low / step).rounded(.down) * step
        let last = (high / step).rounded(.up) * step
        minimum = first
        maximum = last
        let n = Int(((last - first) / step).rounded())
        ticks = (0...max(n, 0)).map { first + Double($0) * step }
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * power >= raw * (1 - 1e-9) { return factor * power }
        return 10 * power
    }

    /// The pixel of `value` on an axis drawn from `start` (the minimum) to `end` (the maximum).
    func pixel(_ value: Double, from start: Double, to end: Double) -> Double {
        let span = maximum - minimum
        return span == 0 ? start : start + (value - minimum) / span * (end - start)
    }

    /// A tick label: as few digits as tell the ticks apart.
    func label(_ value: Double) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        if abs(value) < step * 1e-9 { return "0" }
        if step >= 1, abs(value) < 1e6 { return String(format: "%.0f", value) }
        if abs(value) >= 1e6 || step < 1e-4 { return String(format: "%.1e", value) }
        let decimals = max(0, -Int(log10(step).rounded(.down)))
        return String(format: "%.\(decimals)f", value)
    }
}
