import Foundation

/// A line chart as inline SVG: value over step for one or more series (one per run), with axes, ticks and
/// grid. No script: a point's value shows as a native tooltip (`<title>`) on the markers.
///
/// The `<svg>` carries its axis ranges and plot box as `data-` attributes, so a test can map the drawn
/// points back to values and compare them with the log.
struct LineChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        /// Circles with tooltips at each point (evaluations: few points).
        var markers = false
        /// Drawn light, behind (the raw curve under its smoothed one).
        var faint = false
        /// An SVG `stroke-dasharray` (runs of one group told apart), nil = solid.
        var dash: String? = nil
    }

    var title: String
    var xLabel = "step"
    var yLabel: String
    var series: [Series]
    var width = 360.0
    var height = 250.0
    /// Longest polyline drawn; longer series are thinned to every k-th point (the last one kept).
    static let maximumPoints = 1500

    private var plot: (left: Double, top: Double, right: Double, bottom: Double) {
        (62, 30, width - 14, height - 42)
    }

    func svg() -> String {
        let drawn = series.map { s in
            var kept = s
            kept.points = Self.thin(s.points.filter { $0.x.isFinite && $0.y.isFinite })
            return kept
        }
        let xAxis = ChartAxis(covering: drawn.flatMap { $0.points.map(\.x) }, count: 6)
        let yAxis = ChartAxis(covering: drawn.flatMap { $0.points.map(\.y) }, count: 5)
        let p = plot
        func px(_ x: Double) -> Double { xAxis.pixel(x, from: p.left, to: p.right) }
        func py(_ y: Double) -> Double { yAxis.pixel(y, from: p.bottom, to: p.top) }
        var out =
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\""
        out += " role=\"img\" aria-label=\"\(HTML.escape(title))\""
        out += " data-x-min=\"\(HTML.exact(xAxis.minimum))\" data-x-max=\"\(HTML.exact(xAxis.maximum))\""
        out += " data-y-min=\"\(HTML.exact(yAxis.minimum))\" data-y-max=\"\(HTML.exact(yAxis.maximum))\""
        out += " data-plot=\"\(f(p.left)) \(f(p.top)) \(f(p.right)) \(f(p.bottom))\">\n"
        out += "<title>\(HTML.escape(title))</title>\n"
        out += "<text class=\"title\" x=\"\(f(p.left))\" y=\"18\">\(HTML.escape(title))</text>\n"
        for tick in yAxis.ticks {
            let y = py(tick)
            out += "<line class=\"grid\" x1=\"\(f(p.left))\" x2=\"\(f(p.right))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
            out +=
                "<text class=\"tick\" x=\"\(f(p.left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(yAxis.label(tick))</text>\n"
        }
        for tick in xAxis.ticks {
            let x = px(tick)
            out += "<line class=\"grid\" x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(p.top))\" y2=\"\(f(p.bottom))\"/>"
            out +=
                "<text class=\"tick\" x=\"\(f(x))\" y=\"\(f(p.bottom + 16))\" text-anchor=\"middle\">\(xAxis.label(tick))</text>\n"
        }
        out +=
            "<rect class=\"frame\" x=\"\(f(p.left))\" y=\"\(f(p.top))\" width=\"\(f(p.right - p.left))\" height=\"\(f(p.bottom - p.top))\"/>\n"
        out +=
            "<text class=\"axis\" x=\"\(f((p.left + p.right) / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
        out +=
            "<text class=\"axis\" transform=\"translate(14 \(f((p.top + p.bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>\n"
        for s in drawn.sorted(by: { $0.faint && !$1.faint }) where !s.points.isEmpty {
            let points = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            out += "<polyline class=\"\(s.faint ? "faint" : "line")\" data-series=\"\(HTML.escape(s.name))\""
            out += " stroke=\"\(s.color)\"" + (s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")
            out += " points=\"\(points)\"/>\n"
            guard s.markers else { continue }
            for point in s.points {
                out += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"3\" fill=\"\(s.color)\">"
                out +=
                    "<title>\(HTML.escape(s.name)): step \(HTML.number(point.x, digits: 6)), \(HTML.number(point.y))</title></circle>\n"
            }
        }
        if drawn.allSatisfy({ $0.points.isEmpty }) {
            out +=
                "<text class=\"empty\" x=\"\(f((p.left + p.right) / 2))\" y=\"\(f((p.top + p.bottom) / 2))\" text-anchor=\"middle\">no data</text>\n"
        }
        return out + "</svg>\n"
    }

    static func thin(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard points.count > maximumPoints, let last = points.last else { return points }
        let stride = (points.count + maximumPoints - 1) / maximumPoints
        var out = Swift.stride(from: 0, to: points.count, by: stride).map { points[$0] }
        if out.last?.x != last.x { out.append(last) }
        return out
    }

    /// TensorBoard's smoothing (a debiased exponential moving average, weight 0.6 by default).
    static func smoothed(_ points: [(x: Double, y: Double)], weight: Double = 0.6) -> [(x: Double, y: Double)] {
        var last = 0.0
        var debias = 1.0
        return points.map { point in
            guard point.y.isFinite else { return point }
            last = last * weight + (1 - weight) * point.y
            debias *= weight
            return (point.x, last / (1 - debias))
        }
    }

    private func f(_ x: Double) -> String { String(format: "%.2f", x) }
}
