import ArgumentParser
import Foundation
import LNTune

/// `lntune report`: a self-contained HTML page (or Markdown tables) for one or more run folders.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Show what runs did: curves, per-layer LayerNorm change, comparison table (HTML or Markdown).",
        discussion: """
            Reads each RUN folder written by lntune train (run.json, train_log.jsonl, tensorboard/, best/ or \
            final/) and the base model run.json names. The HTML page is one file with inline SVG: train and dev \
            loss, learning rate, gradient norm, throughput and dev metrics over steps (overlaid for several \
            runs), a comparison table, for each run the mean |Δγ| and |Δβ| of every LayerNorm (or the norm of a \
            prefix per layer), and the run's command, data hashes, versions and machine. --format md prints the \
            tables instead.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case html, md
    }

    @Argument(help: "Run folders (the --out of lntune train).")
    var runs: [String]

    @Option(help: "Output file (default: report.html for html, standard output for md).")
    var out: String?

    @Option(help: "html (a self-contained page) or md (Markdown tables).")
    var format: Format = .html

    @Option(help: "The page's title.")
    var title = "LNTune report"

    func validate() throws {
        if runs.isEmpty { throw ValidationError("name at least one run folder") }
    }

    func run() throws {
        let report = try RunReport.load(runs, title: title)
        let text = format == .html ? report.html() : report.markdown()
        guard let path = out ?? (format == .html ? "report.html" : nil) else {
            print(text, terminator: "")
            return
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        print(
            "wrote \(path) (\(text.utf8.count / 1024) KiB, \(report.runs.count) run\(report.runs.count == 1 ? "" : "s"))"
        )
        if format == .html { print(report.comparisonTable.markdown(), terminator: "") }
    }
}
