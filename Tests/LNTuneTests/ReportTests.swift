import Foundation
import GPT2
import LNTune
import TestSupport
import Tuning
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Collects the attributes of every element, in document order, and whether the document parsed.
private final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var error: Error?
    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) { elements.append((name, attributes)) }
    func parser(_ parser: XMLParser, parseErrorOccurred error: Error) { self.error = error }

    static func parse(_ html: String) throws -> ElementCollector {
        let collector = ElementCollector()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = collector
        let ok = parser.parse()
        try #require(ok && collector.error == nil, "not well-formed: \(String(describing: collector.error))")
        return collector
    }
}

/// Two short runs (LN-Tuning and prefix+ln) with dev metrics, shared by the report tests.
private func trainedRuns(_ fixture: TrainingFixture) throws -> [TrainingSettings] {
    var ln = fixture.settings(out: "ln", maxSteps: 6, evalEvery: 2)
    ln.devMetrics = DevMetricSettings(metrics: ["bleu"], samples: 2, maxNewTokens: 4)
    let prefix = fixture.settings(
        out: "prefix-ln", method: try TuningMethods.configuration(named: "prefix+ln"), maxSteps: 4, evalEvery: 2)
    for settings in [ln, prefix] { _ = try Trainer(settings: settings).run() }
    return [ln, prefix]
}

/// The points of a chart's polyline for `series`, mapped back to values through the axis ranges the `<svg>`
/// records.
private func plotted(_ collector: ElementCollector, chart title: String, series: String) throws -> [(Double, Double)] {
    let start = try #require(collector.elements.firstIndex { $0.name == "svg" && $0.attributes["aria-label"] == title })
    let svg = collector.elements[start].attributes
    let line = try #require(
        collector.elements[(start + 1)...].prefix { $0.name != "svg" }.first {
            $0.name == "polyline" && $0.attributes["data-series"] == series
        }, "no \(series) in \(title)")
    let number = { (key: String) in Double(svg[key] ?? "") ?? .nan }
    let box = (svg["data-plot"] ?? "").split(separator: " ").compactMap { Double($0) }
    try #require(box.count == 4)
    return (line.attributes["points"] ?? "").split(separator: " ").map { pair in
        let xy = pair.split(separator: ",").compactMap { Double($0) }
        let x =
            number("data-x-min") + (xy[0] - box[0]) / (box[2] - box[0]) * (number("data-x-max") - number("data-x-min"))
        let y =
            number("data-y-min") + (box[3] - xy[1]) / (box[3] - box[1]) * (number("data-y-max") - number("data-y-min"))
        return (x, y)
    }
}

/// The HTML report is one well-formed, self-contained page — no script, no stylesheet or image to fetch, no
/// address at all — whose curves are the runs' logs: the raw train loss, dev loss and learning rate drawn for
/// a run map back to the values in its train_log.jsonl (within a hundredth of a pixel).
@Test func reportPageIsSelfContainedAndDrawsTheLog() throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 4))
    let runs = try trainedRuns(fixture)
    let report = try RunReport.load(runs.map(\.out))
    let html = report.html()
    for forbidden in ["<script", "http:", "https:", "src=", "<link", "url(", "@import", "<iframe"] {
        #expect(!html.contains(forbidden), "the page contains \(forbidden)")
    }
    let page = try ElementCollector.parse(html)
    #expect(page.elements.filter { $0.name == "svg" }.count >= 6)

    let run = try #require(report.runs.first)
    #expect(run.name == "ln")
    func close(_ drawn: [(Double, Double)], _ logged: [(Int, Double)], _ what: String) throws {
        try #require(drawn.count == logged.count, "\(what): \(drawn.count) points for \(logged.count) log values")
        let span = (logged.map(\.1).max() ?? 0) - (logged.map(\.1).min() ?? 0)
        for (point, value) in zip(drawn, logged) {
            #expect(abs(point.0 - Double(value.0)) < 0.05, "\(what) step")
            #expect(abs(point.1 - value.1) <= max(span, abs(value.1)) * 2e-4, "\(what) at step \(value.0)")
        }
    }
    try close(
        try plotted(page, chart: "train loss", series: "ln (raw)"), run.steps.map { ($0.step, $0.loss ?? .nan) },
        "train loss")
    try close(
        try plotted(page, chart: "dev loss", series: "ln"), run.evaluations.map { ($0.step, $0.devLoss ?? .nan) },
        "dev loss")
    try close(
        try plotted(page, chart: "learning rate", series: "ln"), run.steps.map { ($0.step, $0.learningRate ?? .nan) },
        "lr")
    try close(
        try plotted(page, chart: "dev bleu", series: "ln"),
        run.evaluations.map { ($0.step, $0.metrics?["bleu"] ?? .nan) }, "dev bleu")
    #expect(run.throughput.map(\.step) == run.steps.map(\.step))
}

/// The LayerNorm figure's bars are the mean |Δγ| and |Δβ| between the base checkpoint and the best adapter,
/// computed here directly; a prefix run also shows the norm of each layer's keys and values.
@Test func layerNormChangeMatchesTheAdapter() throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 4))
    let runs = try trainedRuns(fixture)
    let report = try RunReport.load(runs.map(\.out))
    let page = try ElementCollector.parse(report.html())
    let base = try GPT2Checkpoint.load(directory: fixture.model).parameters
    let adapter = try AdapterFiles.read(from: RunFolder(runs[0].out).best, modelConfig: base.config)
    let bars = page.elements.filter { $0.name == "rect" && $0.attributes["data-series"] != nil }
    for layer in 0..<TrainingFixture.config.nLayer {
        for (series, tensor) in [("ln_1 γ", BlockTensor.ln1Weight), ("ln_2 β", .ln2Bias)] {
            let after = try #require(adapter.tensors[.block(layer, tensor)])
            let before = base[.block(layer, tensor)]
            let expected = zip(after, before).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(after.count)
            let bar = try #require(
                bars.first { $0.attributes["data-series"] == series && $0.attributes["data-category"] == "\(layer)" })
            let drawn = try #require(Double(bar.attributes["data-value"] ?? ""))
            #expect(abs(drawn - expected) <= 1e-7 * max(expected, 1e-3), "\(series) layer \(layer)")
            #expect(expected > 0)
        }
    }
    let prefixChange = try #require(report.runs[1].change)
    #expect(prefixChange.prefixNorms.count == TrainingFixture.config.nLayer)
    #expect(prefixChange.prefixNorms.allSatisfy { $0.keys > 0 && $0.values > 0 })
    #expect(prefixChange.changesLayerNorms && prefixChange.blocks.isEmpty)
}

/// `--format md`: the comparison table has a row per run with its trainable count and best dev loss, and
/// the LayerNorm table a row per module.
@Test func markdownReportHasTheTables() throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 4))
    let runs = try trainedRuns(fixture)
    let report = try RunReport.load(runs.map(\.out))
    let markdown = report.markdown()
    let table = report.comparisonTable
    #expect(table.rows.map(\.first) == ["ln", "prefix-ln"])
    let record = try RunRecord.read(from: RunFolder(runs[0].out).runRecord)
    #expect(table.rows[0][2] == ProgressPrinterFormat.grouped(record.resolved.trainableParameters))
    #expect(table.rows[0][1] == "ln" && table.rows[1][1] == "prefix+ln")
    #expect(markdown.contains("### Runs"))
    #expect(markdown.contains("| h.1.ln_2 "))
    #expect(markdown.contains("| ln_f "))
    #expect(markdown.contains("prefix norm per layer"))
}

/// A report refuses a folder that is not a run, naming the missing run.json.
@Test func reportRefusesANonRun() throws {
    let folder = try TemporaryFolder()
    #expect(throws: LNTuneError.self) { try RunReport.load([folder.url.path]) }
}

/// Digits grouped as the tables print them.
private enum ProgressPrinterFormat {
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        return digits.enumerated().map { i, d in (i > 0 && (digits.count - i) % 3 == 0 ? "," : "") + String(d) }
            .joined()
    }
}

/// LoRA and bottleneck-adapter runs: the report has a table and a figure of each layer's module norms, and
/// the numbers are the Frobenius norms of the adapter's down and up tensors computed here from the best
/// adapter (LoRA's B has moved off zero, so both are positive).
@Test(arguments: [("lora", "attn.c_attn"), ("adapter", "output_adapters")])
func moduleNormsMatchTheAdapter(method: String, module: String) throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let settings = fixture.settings(
        out: method, method: try TuningMethods.configuration(named: method), maxSteps: 2, evalEvery: 2)
    _ = try Trainer(settings: settings).run()
    let report = try RunReport.load([settings.out])
    let change = try #require(report.runs[0].change)
    #expect(change.views.contains(.modules) && change.prefixNorms.isEmpty && change.blocks.isEmpty)
    let base = try GPT2Checkpoint.load(directory: fixture.model).parameters
    let adapter = try AdapterFiles.read(from: RunFolder(settings.out).best, modelConfig: base.config)
    let extensionModule = try #require(adapter.extensionModule)
    #expect(change.moduleNorms.map(\.layer) == Array(0..<TrainingFixture.config.nLayer))
    for norm in change.moduleNorms {
        #expect(norm.module == module)
        func expected(_ parts: [String]) -> Double {
            extensionModule.tensors.filter { t in
                t.name.contains("h.\(norm.layer).\(module).") && parts.contains { t.name.contains(".\($0)") }
            }.flatMap { Array(extensionModule.buffer($0)) }.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        }
        let (down, up) = (expected(["lora_A", "adapter_down"]), expected(["lora_B", "adapter_up"]))
        #expect(abs(norm.down - down) <= 1e-9 * down && abs(norm.up - up) <= 1e-9 * up, "layer \(norm.layer)")
        #expect(down > 0 && up > 0, "layer \(norm.layer)")
    }
    let markdown = report.markdown()
    #expect(markdown.contains("adapter module norm per layer"), "\(markdown)")
    #expect(markdown.contains("| \(module) "), "\(markdown)")
    let page = try ElementCollector.parse(report.html())
    #expect(
        page.elements.contains { $0.name == "svg" && $0.attributes["aria-label"]?.hasSuffix("adapter modules") == true }
    )
}
