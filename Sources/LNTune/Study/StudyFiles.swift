import Foundation

/// The files a study writes in its folder once the runs are done (and after an interruption, with the runs
/// finished so far):
///
/// ```
/// OUT/results.md     the table, with the settings that made it
/// OUT/results.csv    one row per configuration: mean and std of each figure
/// OUT/results.json   the settings, the rows, and every run's result
/// OUT/report.html    the table, then every run's curves and parameter change (lntune report)
/// OUT/runs/NAME/     each run's folder (lntune train's files, test_predictions.jsonl, study_result.json)
/// ```
public struct StudyFiles: Sendable {
    public let out: URL
    public var markdown: URL { out.appendingPathComponent("results.md") }
    public var csv: URL { out.appendingPathComponent("results.csv") }
    public var json: URL { out.appendingPathComponent("results.json") }
    public var report: URL { out.appendingPathComponent("report.html") }

    /// Writes all four files and returns the table.
    func write(plan: StudyPlan, results: [StudyRunResult]) throws -> ReportTable {
        let rows = StudyRow.rows(results, configurations: plan.configurations)
        let table = StudyTable.table(rows)
        let settings = plan.settings
        let path = Self.shown
        let introduction = [
            "\(settings.task) on \(path(settings.model)): train \(path(settings.train))"
                + (settings.dev.map { ", dev \(path($0))" } ?? "") + ", test \(path(settings.test))"
                + (settings.testExamples.map { " (first \($0) examples)" } ?? "") + ".",
            "Seeds \(settings.seeds.map(String.init).joined(separator: ", ")); "
                + (settings.maxSteps.map { "\($0) steps" } ?? "\(settings.epochs) epoch(s)")
                + ", batch size \(settings.batchSize); decoding: \(settings.preset), at most \(settings.maxNewTokens) new tokens."
                + " \(results.count) of \(plan.runs.count) runs done.",
        ]
        let markdown = (["# LNTune study", ""] + introduction.map { $0 + "\n" } + [table.markdown()]).joined(
            separator: "\n")
        try store(markdown, at: self.markdown)
        try store(Self.csv(rows), at: csv)
        struct Document: Encodable {
            let lntuneVersion: String, platform: String, settings: StudySettings, rows: [StudyRow],
                runs: [StudyRunResult]
            enum CodingKeys: String, CodingKey {
                case lntuneVersion = "lntune_version", platform, settings, rows, runs
            }
        }
        do {
            let document = Document(
                lntuneVersion: LNTuneVersion.string, platform: RunRecord.platformDescription, settings: settings,
                rows: rows, runs: results)
            try RunFolder.store(try RunRecord.encoder.encode(document) + Data("\n".utf8), at: json)
        } catch let error as LNTuneError {
            throw error
        } catch {
            throw LNTuneError.io(path: json.path, reason: "cannot encode the results (\(error))")
        }
        let cache = BaseModelCache()
        let runs = try results.map { result in
            var run = try RunData.load(
                result.folder, name: URL(fileURLWithPath: result.folder).lastPathComponent, baseModels: cache)
            run.group = result.configuration
            return run
        }
        let report = RunReport(title: "LNTune study", runs: runs, leadingTables: [table], introduction: introduction)
        try store(report.html(), at: self.report)
        return table
    }

    /// `configuration,method,variant,seeds,trainable_params,trainable_percent,<figure>_mean,<figure>_std,…`.
    static func csv(_ rows: [StudyRow]) -> String {
        let keys = ReportTables.sortedMetricKeys(Set(rows.flatMap(\.test.keys)))
        let figures = ["train_seconds", "tokens_per_second", "peak_memory_mib", "dev_loss"] + keys.map { "test_\($0)" }
        var lines = [
            (["configuration", "method", "variant", "seeds", "trainable_params", "trainable_percent"]
                + figures.flatMap { ["\($0)_mean", "\($0)_std"] }).joined(separator: ",")
        ]
        for row in rows {
            let statistics =
                [row.trainSeconds, row.tokensPerSecond, row.peakMemoryMiB, row.devLoss] + keys.map { row.test[$0] }
            var cells = [
                row.configuration, row.method, row.variant ?? "", row.seeds.map(String.init).joined(separator: " "),
            ]
            .map(quoted)
            cells += ["\(row.trainableParameters)", String(format: "%.6f", row.trainablePercent)]
            cells += statistics.flatMap { s in s.map { [exact($0.mean), exact($0.std)] } ?? ["", ""] }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A path as the table's introduction shows it: relative to the current folder when inside it (the
    /// quickstart passes the checkout's absolute paths).
    static func shown(_ path: String) -> String {
        let here = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path
    }

    private static func quoted(_ cell: String) -> String {
        cell.contains(where: { ",\"\n".contains($0) })
            ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }

    private static func exact(_ x: Double) -> String { String(format: "%.10g", x) }

    private func store(_ text: String, at url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        } catch {
            throw LNTuneError.io(path: out.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        try RunFolder.store(Data(text.utf8), at: url)
    }
}
