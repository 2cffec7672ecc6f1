import Foundation

/// `lntune report`: one self-contained page for one or more runs — curves over steps (overlaid for several
/// runs), a comparison table, the parameter change per layer of each run's adapter, and each run's metadata.
/// Inline SVG and CSS only: no script, no network, nothing to install to read it. `markdown()` gives the
/// tables for a terminal or a CI log.
public struct RunReport: Sendable {
    public var title: String
    public var runs: [RunData]
    /// Tables shown first (a study's results).
    public var leadingTables: [ReportTable]
    /// Text shown under the title.
    public var introduction: [String]

    public init(
        title: String = "LNTune report", runs: [RunData], leadingTables: [ReportTable] = [], introduction: [String] = []
    ) {
        self.title = title
        self.runs = runs
        self.leadingTables = leadingTables
        self.introduction = introduction
    }

    /// Loads the run folders at `paths` (base models loaded once each).
    public static func load(_ paths: [String], title: String = "LNTune report") throws -> RunReport {
        let cache = BaseModelCache()
        return RunReport(
            title: title,
            runs: try Self.uniqueNames(paths).map { try RunData.load($0.path, name: $0.name, baseModels: cache) })
    }

    /// Folder names, made unique with their parent's name where two runs share one (`a/run`, `b/run`).
    static func uniqueNames(_ paths: [String]) -> [(path: String, name: String)] {
        let urls = paths.map { URL(fileURLWithPath: $0).standardizedFileURL }
        let last = urls.map(\.lastPathComponent)
        return zip(paths, urls).map { path, url in
            let name = url.lastPathComponent
            let shared = last.filter { $0 == name }.count > 1
            return (path, shared ? url.deletingLastPathComponent().lastPathComponent + "/" + name : name)
        }
    }

    public var comparisonTable: ReportTable { ReportTables.comparison(runs) }

    public func markdown() -> String {
        var parts = ["# \(title)", ""] + introduction.map { $0 + "\n" }
        for table in leadingTables + [comparisonTable] { parts.append(table.markdown()) }
        for run in runs {
            parts += ReportTables.changeTables(run).map { $0.markdown() }
            for note in run.notes { parts.append("- \(run.name): \(note)") }
        }
        return parts.joined(separator: "\n") + "\n"
    }

    public func html() -> String {
        var body = "<h1>\(HTML.escape(title))</h1>\n"
        body += "<p class=\"meta\">LNTune \(HTML.escape(LNTuneVersion.string)), \(HTML.escape(RunRecord.timestamp())); "
        body += "\(runs.count) run\(runs.count == 1 ? "" : "s")</p>\n"
        for line in introduction { body += "<p>\(HTML.escape(line))</p>\n" }
        for table in leadingTables { body += table.html() }
        body += ReportTables.comparison(runs).html()

        body += "<h2>Training curves</h2>\n"
        body += HTML.lineLegend(zip(runs, ReportCharts.lineStyles(runs)).map { ($0.name, $1.color, $1.dash) })
        body +=
            "<div class=\"grid\">\n" + ReportCharts.curves(runs).map { "<figure>\($0)</figure>\n" }.joined()
            + "</div>\n"

        body += "<h2>What tuning changed, by layer</h2>\n"
        body +=
            "<p class=\"note\">LayerNorms: mean |after − before| of each module's gain γ and bias β between the base"
        body += " checkpoint and the run's adapter (best/, else final/). Prefixes: the norm of each layer's trained"
        body += " keys and values. Adapter and LoRA modules: the Frobenius norm of each layer's down-projection"
        body += " (LoRA's A) and up-projection (LoRA's B).</p>\n"
        let figures = runs.flatMap(ReportCharts.changeFigures)
        body += "<div class=\"grid\">\n" + figures.map { "<figure>\($0)</figure>\n" }.joined() + "</div>\n"

        body += "<h2>Runs in detail</h2>\n"
        for run in runs {
            body += "<section>\n<h3>\(HTML.escape(run.name))</h3>\n"
            if let change = run.change, ReportTables.changeTables(run).isEmpty {
                body +=
                    "<p class=\"note\">\(HTML.escape(change.adapterFolder)) changes no base tensor and has no prefix</p>\n"
            }
            for table in ReportTables.changeTables(run) + [ReportTables.metadata(run)] {
                body += "<details><summary>\(HTML.escape(table.title))</summary>\n\(table.html())</details>\n"
            }
            for note in run.notes { body += "<p class=\"note\">\(HTML.escape(note))</p>\n" }
            body += "</section>\n"
        }
        return Self.page(title: title, body: body)
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(HTML.escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static let style = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222;
          margin: 24px auto; max-width: 1120px; padding: 0 16px; }
        h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
        h3 { font-size: 15px; } .meta, .note { color: #666; font-size: 12px; }
        table { border-collapse: collapse; margin: 10px 0; font-size: 13px; }
        caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
        th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px; text-align: left; vertical-align: top; }
        th { background: #f6f6f6; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.num { white-space: nowrap; }
        .grid { display: flex; flex-wrap: wrap; gap: 8px 20px; } figure { margin: 0; max-width: 360px; }
        svg.chart { background: #fff; } svg .grid { stroke: #eee; } svg .frame { fill: none; stroke: #bbb; }
        svg .tick { font-size: 10px; fill: #555; } svg .axis { font-size: 11px; fill: #333; }
        svg .title { font-size: 13px; font-weight: 600; fill: #222; } svg .empty { fill: #999; }
        svg .line { fill: none; stroke-width: 1.8; } svg .faint { fill: none; stroke-width: 1; opacity: 0.3; }
        .legend { font-size: 12px; margin: 6px 0; } .key { margin-right: 14px; white-space: nowrap; }
        .swatch { display: inline-block; width: 11px; height: 11px; margin-right: 5px; vertical-align: -1px; }
        details { margin: 6px 0; } summary { cursor: pointer; color: #335; }
        """
}
