import Foundation
import Tuning

/// The charts of a report: curves over steps with one colour per run (overlaid when there are several), and
/// per run the parameter change by layer.
enum ReportCharts {
    /// Curves over training steps: train loss (raw, light, under TensorBoard-style smoothing), dev loss,
    /// learning rate, gradient norm, throughput, and each dev metric.
    static func curves(_ runs: [RunData]) -> [String] {
        let styles = lineStyles(runs)
        func line(
            _ title: String, _ y: String, markers: Bool = false, smooth: Bool = false,
            _ points: (RunData) -> [(x: Double, y: Double)]
        ) -> String? {
            var series: [LineChart.Series] = []
            for (k, run) in runs.enumerated() {
                let raw = points(run)
                guard !raw.isEmpty else { continue }
                let (color, dash) = styles[k]
                if smooth {
                    series.append(.init(name: run.name + " (raw)", color: color, points: raw, faint: true, dash: dash))
                    series.append(.init(name: run.name, color: color, points: LineChart.smoothed(raw), dash: dash))
                } else {
                    series.append(.init(name: run.name, color: color, points: raw, markers: markers, dash: dash))
                }
            }
            guard !series.isEmpty else { return nil }
            return LineChart(title: title, yLabel: y, series: series).svg()
        }
        var charts: [String?] = [
            line("train loss", "loss", smooth: true) { run in
                run.steps.compactMap { e in e.loss.map { (Double(e.step), $0) } }
            },
            line("dev loss", "loss", markers: true) { run in
                run.evaluations.compactMap { e in e.devLoss.map { (Double(e.step), $0) } }
            },
            line("learning rate", "lr") { run in
                run.steps.compactMap { e in e.learningRate.map { (Double(e.step), $0) } }
            },
            line("gradient norm (before clipping)", "norm") { run in
                run.steps.compactMap { e in e.gradientNorm.map { (Double(e.step), Double($0)) } }
            },
            line("throughput", "tokens/s") { run in run.throughput.map { (Double($0.step), $0.value) } },
        ]
        // ROUGE-1/2 and ROUGE-Lsum stay in the tables: one ROUGE curve (ROUGE-L) tells the story.
        for key in ReportTables.devMetricKeys(runs) where !["rouge1", "rouge2", "rougeLsum"].contains(key) {
            charts.append(
                line("dev \(key)", key, markers: true) { run in
                    run.evaluations.compactMap { e in e.metrics?[key].map { (Double(e.step), $0) } }
                })
        }
        return charts.compactMap { $0 }
    }

    /// A colour per group (a study's configuration; each run is its own group otherwise) and a dash pattern
    /// per run within it (its seeds).
    static func lineStyles(_ runs: [RunData]) -> [(color: String, dash: String?)] {
        var groups: [String] = []
        var seen: [String: Int] = [:]
        return runs.map { run in
            let group = run.group ?? run.name
            if !groups.contains(group) { groups.append(group) }
            let k = seen[group, default: 0]
            seen[group] = k + 1
            let dashes: [String?] = [nil, "6 3", "2 2", "8 3 2 3"]
            return (HTML.color(groups.firstIndex(of: group) ?? 0), dashes[k % dashes.count])
        }
    }

    static let layerNormSeries: [(name: String, color: String, module: LNModule, term: LNTerm)] = [
        ("ln_1 γ", "#4e79a7", .attn, .gain), ("ln_1 β", "#f28e2b", .attn, .bias),
        ("ln_2 γ", "#a0cbe8", .mlp, .gain), ("ln_2 β", "#ffbe7d", .mlp, .bias),
        ("ln_f γ", "#59a14f", .final, .gain), ("ln_f β", "#8cd17d", .final, .bias),
    ]

    /// The parameter-change figures of a run (the same kinds as `ReportTables.changeTables`).
    static func changeFigures(_ run: RunData) -> [String] {
        guard let change = run.change else { return [] }
        let make: [ParameterChange.View: (RunData, ParameterChange) -> String] = [
            .layerNorms: layerNorms, .prefix: prefixNorms, .modules: moduleNorms, .blocks: blocks,
        ]
        return change.views.compactMap { make[$0]?(run, change) }
    }

    /// The paper's figure: mean |Δγ| and |Δβ| of `ln_1` and `ln_2` per layer, and of `ln_f`.
    static func layerNorms(_ run: RunData, _ change: ParameterChange) -> String {
        let layers = change.layerNorms.compactMap(\.module.layer).max().map { $0 + 1 } ?? 0
        let categories = (0..<layers).map(String.init) + ["ln_f"]
        let series = layerNormSeries.map { entry in
            BarChart.Series(
                name: entry.name, color: entry.color,
                values: categories.indices.map { c in
                    let layer: Int? = c < layers ? c : nil
                    guard
                        let delta = change.layerNorms.first(where: {
                            $0.module.layer == layer && $0.module.module == entry.module
                        })
                    else { return nil }
                    return entry.term == .gain ? delta.gain : delta.bias
                })
        }
        return BarChart(
            title: "\(run.name): LayerNorms", xLabel: "layer", yLabel: "mean |Δ|",
            categories: categories, series: series
        ).svg() + HTML.legend(layerNormSeries.map { ($0.name, $0.color) })
    }

    static func prefixNorms(_ run: RunData, _ change: ParameterChange) -> String {
        let series = [
            BarChart.Series(name: "‖keys‖", color: "#4e79a7", values: change.prefixNorms.map(\.keys)),
            BarChart.Series(name: "‖values‖", color: "#e15759", values: change.prefixNorms.map(\.values)),
        ]
        return BarChart(
            title: "\(run.name): prefix", xLabel: "layer", yLabel: "Frobenius norm",
            categories: change.prefixNorms.map { "\($0.layer)" }, series: series
        ).svg() + HTML.legend(series.map { ($0.name, $0.color) })
    }

    /// One bar pair per module: `3` alone when each layer has one module, `3 attn.c_attn` otherwise.
    static func moduleNorms(_ run: RunData, _ change: ParameterChange) -> String {
        let perLayer = Set(change.moduleNorms.map(\.layer)).count == change.moduleNorms.count
        let series = [
            BarChart.Series(name: "‖down‖", color: "#4e79a7", values: change.moduleNorms.map(\.down)),
            BarChart.Series(name: "‖up‖", color: "#e15759", values: change.moduleNorms.map(\.up)),
        ]
        return BarChart(
            title: "\(run.name): adapter modules", xLabel: "layer", yLabel: "Frobenius norm",
            categories: change.moduleNorms.map { perLayer ? "\($0.layer)" : "\($0.layer) \($0.module)" },
            series: series
        ).svg() + HTML.legend(series.map { ($0.name, $0.color) })
    }

    static func blocks(_ run: RunData, _ change: ParameterChange) -> String {
        BarChart(
            title: "\(run.name): other tensors", xLabel: "block", yLabel: "mean |Δ|",
            categories: change.blocks.map { $0.name.replacingOccurrences(of: "h.", with: "") },
            series: [
                BarChart.Series(name: "mean |Δ|", color: "#76b7b2", values: change.blocks.map(\.meanAbsoluteChange))
            ]
        ).svg()
    }
}
