import Foundation

/// The tables of a report, from the runs' records and logs: one comparison row per run, and per run the
/// parameter change (LayerNorm deltas, prefix norms, other replaced tensors).
enum ReportTables {
    /// Metric keys in the order papers list them; others follow alphabetically.
    static let metricOrder = [
        "bleu", "rouge1", "rouge2", "rougeL", "rougeLsum", "nist", "cider", "chrf", "chrf++", "ter",
    ]

    static func sortedMetricKeys(_ keys: Set<String>) -> [String] {
        metricOrder.filter(keys.contains) + keys.subtracting(metricOrder).sorted()
    }

    /// The `--eval-metrics` keys any run logged.
    static func devMetricKeys(_ runs: [RunData]) -> [String] {
        sortedMetricKeys(Set(runs.flatMap { $0.evaluations.flatMap { ($0.metrics ?? [:]).keys } }))
    }

    static func comparison(_ runs: [RunData]) -> ReportTable {
        let keys = devMetricKeys(runs)
        let header =
            [
                "run", "method", "trainable params", "trainable %", "steps", "status", "train loss",
                "best dev loss (step)",
            ]
            + keys.map { "dev \($0)" } + ["tokens/s", "time (s)"]
        let rows = runs.map { run -> [String] in
            let resolved = run.record.resolved
            let result = run.record.result
            let lastMetrics = run.evaluations.last(where: { $0.metrics != nil })?.metrics ?? [:]
            let percent =
                resolved.allParameters > 0
                ? 100 * Double(resolved.trainableParameters) / Double(resolved.allParameters) : 0
            let bestDev = result?.bestDevLoss.map { loss in
                HTML.number(loss) + (result?.bestStep.map { " (\($0))" } ?? "")
            }
            var row: [String] = [run.name, run.record.settings.method.name, grouped(resolved.trainableParameters)]
            row.append(String(format: "%.4f", percent))
            row.append("\(result?.completedSteps ?? run.steps.last?.step ?? 0)/\(resolved.totalSteps)")
            row.append(result?.status.rawValue ?? "running")
            row.append(run.steps.last?.loss.map { HTML.number($0) } ?? "–")
            row.append(bestDev ?? "–")
            for key in keys { row.append(lastMetrics[key].map { HTML.number($0) } ?? "–") }
            row.append(result.map { String(format: "%.0f", $0.tokensPerSecond) } ?? "–")
            row.append(result.map { String(format: "%.1f", $0.times.total) } ?? "–")
            return row
        }
        let numeric = Set([2, 3, 4, 6, 7] + (0..<(keys.count + 2)).map { 8 + $0 })
        var notes = [
            "train loss: the last step's; dev metrics: the last evaluation's (on the --eval-samples dev sample)."
        ]
        if runs.contains(where: { $0.record.settings.devMetrics?.metricForBestModel != nil }) {
            notes.append("best dev loss: the dev loss of best/, chosen by --metric-for-best-model where given.")
        }
        return ReportTable(title: "Runs", header: header, rows: rows, numericColumns: numeric, notes: notes)
    }

    /// The parameter-change tables of a run: those of its adapter's kinds of change.
    static func changeTables(_ run: RunData) -> [ReportTable] {
        guard let change = run.change else { return [] }
        let make: [ParameterChange.View: (RunData, ParameterChange) -> ReportTable] = [
            .layerNorms: layerNorms, .prefix: prefixNorms, .modules: moduleNorms, .blocks: blocks,
        ]
        return change.views.compactMap { make[$0]?(run, change) }
    }

    /// Mean |Δγ| and |Δβ| per LayerNorm (the paper's figure as numbers).
    static func layerNorms(_ run: RunData, _ change: ParameterChange) -> ReportTable {
        ReportTable(
            title: "\(run.name): LayerNorm change (mean |after − before| per module)",
            header: ["LayerNorm", "mean |Δγ|", "mean |Δβ|"],
            rows: change.layerNorms.map { [$0.module.huggingFaceName, HTML.number($0.gain), HTML.number($0.bias)] },
            numericColumns: [1, 2], notes: ["adapter: \(change.adapterFolder)"])
    }

    static func prefixNorms(_ run: RunData, _ change: ParameterChange) -> ReportTable {
        ReportTable(
            title: "\(run.name): prefix norm per layer (Frobenius, over heads and slots)",
            header: ["layer", "‖keys‖", "‖values‖"],
            rows: change.prefixNorms.map { ["\($0.layer)", HTML.number($0.keys), HTML.number($0.values)] },
            numericColumns: [0, 1, 2])
    }

    static func moduleNorms(_ run: RunData, _ change: ParameterChange) -> ReportTable {
        ReportTable(
            title: "\(run.name): adapter module norm per layer (Frobenius)",
            header: ["layer", "module", "‖down‖", "‖up‖"],
            rows: change.moduleNorms.map { ["\($0.layer)", $0.module, HTML.number($0.down), HTML.number($0.up)] },
            numericColumns: [0, 2, 3], notes: ["down: LoRA's A or the adapter's down projection; up: B or up"])
    }

    static func blocks(_ run: RunData, _ change: ParameterChange) -> ReportTable {
        ReportTable(
            title: "\(run.name): other replaced tensors, mean |after − before| per block",
            header: ["block", "mean |Δ|", "values"],
            rows: change.blocks.map { [$0.name, HTML.number($0.meanAbsoluteChange), grouped($0.values)] },
            numericColumns: [1, 2])
    }

    /// What a run was: the command, model, data and their hashes, versions and machine.
    static func metadata(_ run: RunData) -> ReportTable {
        let record = run.record
        var rows: [[String]] = [
            ["command", record.command.map { $0.map(shellQuoted).joined(separator: " ") } ?? "(library call)"],
            ["method", record.settings.method.description],
            [
                "model",
                record.settings.model
                    + (record.settings.model == record.resolved.modelFolder ? "" : " → \(record.resolved.modelFolder)"),
            ],
            ["task", record.settings.task],
            ["learning rate", HTML.number(record.resolved.learningRate)],
            ["batch size × accumulation", "\(record.settings.batchSize) × \(record.settings.gradientAccumulation)"],
            ["seed", "\(record.settings.seed)"],
            ["LNTune", record.lntuneVersion],
            ["machine", record.platform],
            ["started", record.startedAt],
        ]
        for (path, hash) in record.dataSHA256.sorted(by: { $0.key < $1.key }) {
            rows.append(["SHA-256 \(path)", hash])
        }
        if let times = record.result?.times {
            rows.append([
                "time (s)",
                String(
                    format: "train steps %.1f, evaluation %.1f, loading and tokenising %.1f, saving %.1f",
                    times.trainSteps, times.evaluation, times.outsideModel, times.saving),
            ])
        }
        return ReportTable(title: "\(run.name): run", header: ["", ""], rows: rows)
    }

    static func shellQuoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=,+:@".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func grouped(_ n: Int) -> String { ProgressPrinter.grouped(n) }
}
