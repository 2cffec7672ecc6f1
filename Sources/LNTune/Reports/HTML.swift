import Foundation

/// The few HTML helpers the reports need. Pages are written as well-formed XML (every element closed,
/// attributes quoted, only XML's five named entities) so that a strict parser — the tests use one — reads them.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A number for a table or a tooltip: 4 significant digits, plain notation between 1e-3 and 1e6.
    static func number(_ x: Double, digits: Int = 4) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude >= 1e6 || magnitude < 1e-3 { return String(format: "%.\(max(digits - 1, 0))e", x) }
        let decimals = max(0, digits - 1 - Int(floor(log10(magnitude))))
        return String(format: "%.\(decimals)f", x)
    }

    /// A number for a data attribute: enough digits to read the value back exactly enough for a test.
    static func exact(_ x: Double) -> String { String(format: "%.8g", x) }

    /// Colours that stay apart for up to ten runs (Tableau 10).
    static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    /// A legend of line styles: a short stroke (dashed where the chart's line is) and a name per entry.
    static func lineLegend(_ entries: [(name: String, color: String, dash: String?)]) -> String {
        guard !entries.isEmpty else { return "" }
        let items = entries.map { entry in
            let dash = entry.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            return "<span class=\"key\"><svg width=\"24\" height=\"10\"><line x1=\"1\" y1=\"5\" x2=\"23\" y2=\"5\""
                + " stroke=\"\(entry.color)\" stroke-width=\"2.5\"\(dash)/></svg> \(escape(entry.name))</span>"
        }
        return "<div class=\"legend\">" + items.joined(separator: " ") + "</div>\n"
    }

    /// A legend: one swatch and name per entry.
    static func legend(_ entries: [(name: String, color: String)]) -> String {
        guard !entries.isEmpty else { return "" }
        let items = entries.map {
            "<span class=\"key\"><span class=\"swatch\" style=\"background:\($0.color)\"></span>\(escape($0.name))</span>"
        }
        return "<div class=\"legend\">" + items.joined(separator: " ") + "</div>\n"
    }
}
