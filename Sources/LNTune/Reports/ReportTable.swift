import Foundation

/// A table of a report, rendered as Markdown (terminals, CI logs, `results.md`) or HTML.
public struct ReportTable: Sendable, Equatable {
    public var title: String
    public var header: [String]
    public var rows: [[String]]
    /// Columns holding numbers (right-aligned).
    public var numericColumns: Set<Int>
    /// Lines printed under the table (what the columns mean).
    public var notes: [String]

    public init(
        title: String, header: [String], rows: [[String]], numericColumns: Set<Int> = [], notes: [String] = []
    ) {
        self.title = title
        self.header = header
        self.rows = rows
        self.numericColumns = numericColumns
        self.notes = notes
    }

    /// A GitHub-flavoured Markdown table under a `###` title, cells padded so it also reads as plain text.
    public func markdown() -> String {
        let cells = ([header] + rows).map { $0.map(Self.escapeMarkdown) }
        var widths = [Int](repeating: 3, count: header.count)
        for row in cells {
            for (k, cell) in row.enumerated() where k < widths.count { widths[k] = max(widths[k], cell.count) }
        }
        func line(_ row: [String]) -> String {
            let padded = widths.indices.map { k -> String in
                let cell = k < row.count ? row[k] : ""
                let fill = String(repeating: " ", count: widths[k] - cell.count)
                return numericColumns.contains(k) ? fill + cell : cell + fill
            }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        let rule = widths.indices.map { k in
            numericColumns.contains(k)
                ? String(repeating: "-", count: widths[k] - 1) + ":" : String(repeating: "-", count: widths[k])
        }
        var lines = ["### \(title)", "", line(cells[0]), "| " + rule.joined(separator: " | ") + " |"]
        lines += cells.dropFirst().map(line)
        if !notes.isEmpty { lines += [""] + notes }
        return lines.joined(separator: "\n") + "\n"
    }

    public func html() -> String {
        var out = "<table>\n<caption>\(HTML.escape(title))</caption>\n<thead><tr>"
        for (k, cell) in header.enumerated() { out += "<th\(align(k))>\(HTML.escape(cell))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>" + row.enumerated().map { "<td\(align($0))>\(HTML.escape($1))</td>" }.joined() + "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        for note in notes { out += "<p class=\"note\">\(HTML.escape(note))</p>\n" }
        return out
    }

    private func align(_ column: Int) -> String { numericColumns.contains(column) ? " class=\"num\"" : "" }

    static func escapeMarkdown(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
