import Foundation

/// A grouped bar chart as inline SVG: one group per category (a layer, `ln_f`), one bar per series present
/// in that category. Each bar carries its exact value (`data-value`) and a tooltip.
struct BarChart {
    struct Series {
        var name: String
        var color: String
        /// Value per category index; nil = no bar there.
        var values: [Double?]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var categories: [String]
    var series: [Series]
    var width = 360.0
    var height = 250.0

    func svg() -> String {
        let (left, top, right, bottom) = (62.0, 30.0, width - 14, height - 42)
        let axis = ChartAxis(covering: series.flatMap { $0.values.compactMap { $0 } }, count: 5, includeZero: true)
        func py(_ y: Double) -> Double { axis.pixel(y, from: bottom, to: top) }
        var out =
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\""
        out += " role=\"img\" aria-label=\"\(HTML.escape(title))\""
        out += " data-y-min=\"\(HTML.exact(axis.minimum))\" data-y-max=\"\(HTML.exact(axis.maximum))\">\n"
        out += "<title>\(HTML.escape(title))</title>\n"
        out += "<text class=\"title\" x=\"\(f(left))\" y=\"18\">\(HTML.escape(title))</text>\n"
        for tick in axis.ticks {
            out +=
                "<line class=\"grid\" x1=\"\(f(left))\" x2=\"\(f(right))\" y1=\"\(f(py(tick)))\" y2=\"\(f(py(tick)))\"/>"
            out +=
                "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(axis.label(tick))</text>\n"
        }
        let slot = (right - left) / Double(max(categories.count, 1))
        // Label every category while they fit, else every k-th.
        let labelEvery = max(1, Int((28 / slot).rounded(.up)))
        for (c, category) in categories.enumerated() {
            let present = series.filter { c < $0.values.count && $0.values[c] != nil }
            let barWidth = slot * 0.8 / Double(max(present.count, 1))
            let start = left + Double(c) * slot + slot * 0.1
            for (k, s) in present.enumerated() {
                guard let value = s.values[c] else { continue }
                let (y0, y1) = (py(0), py(value))
                out +=
                    "<rect x=\"\(f(start + Double(k) * barWidth))\" y=\"\(f(min(y0, y1)))\" width=\"\(f(max(barWidth - 0.5, 0.5)))\""
                out += " height=\"\(f(abs(y0 - y1)))\" fill=\"\(s.color)\" data-series=\"\(HTML.escape(s.name))\""
                out += " data-category=\"\(HTML.escape(category))\" data-value=\"\(HTML.exact(value))\">"
                out += "<title>\(HTML.escape(category)) \(HTML.escape(s.name)): \(HTML.number(value))</title></rect>\n"
            }
            if c % labelEvery == 0 || c == categories.count - 1 {
                out +=
                    "<text class=\"tick\" x=\"\(f(left + (Double(c) + 0.5) * slot))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(HTML.escape(category))</text>\n"
            }
        }
        out +=
            "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\"/>\n"
        out +=
            "<text class=\"axis\" x=\"\(f((left + right) / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
        out +=
            "<text class=\"axis\" transform=\"translate(14 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>\n"
        return out + "</svg>\n"
    }

    private func f(_ x: Double) -> String { String(format: "%.2f", x) }
}
