import Foundation

/// Mean and sample standard deviation (n − 1) of one figure over a configuration's seeds.
public struct SeedStatistic: Codable, Equatable, Sendable {
    public var mean: Double
    public var std: Double
    public var count: Int

    public init?(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        let n = Double(finite.count)
        let mean = finite.reduce(0, +) / n
        let squares = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        (self.mean, self.count) = (mean, finite.count)
        std = finite.count > 1 ? (squares / (n - 1)).squareRoot() : 0
    }

    /// `68.12 ± 0.45` (the mean alone for one seed), `scale` applied to both.
    func text(_ format: String, scale: Double = 1) -> String {
        let mean = String(format: format, self.mean * scale)
        return count > 1 ? mean + " ± " + String(format: format, std * scale) : mean
    }
}

/// One row of a study's table: a configuration's runs summarised over seeds.
public struct StudyRow: Codable, Equatable, Sendable {
    public var configuration: String
    public var method: String
    public var variant: String?
    public var seeds: [UInt64]
    public var trainableParameters: Int
    public var trainablePercent: Double
    public var trainSeconds: SeedStatistic?
    public var tokensPerSecond: SeedStatistic?
    public var peakMemoryMiB: SeedStatistic?
    public var devLoss: SeedStatistic?
    /// Test scores by key, each on its tool's scale (ROUGE in [0, 1]).
    public var test: [String: SeedStatistic]

    /// The rows of `results`, in the order of `configurations`.
    static func rows(_ results: [StudyRunResult], configurations: [String]) -> [StudyRow] {
        configurations.compactMap { configuration in
            let runs = results.filter { $0.configuration == configuration }
            guard let first = runs.first else { return nil }
            let keys = Set(runs.flatMap(\.testMetrics.keys))
            return StudyRow(
                configuration: configuration, method: first.method, variant: first.variant, seeds: runs.map(\.seed),
                trainableParameters: first.trainableParameters, trainablePercent: first.trainablePercent,
                trainSeconds: SeedStatistic(runs.map(\.trainSeconds)),
                tokensPerSecond: SeedStatistic(runs.map(\.tokensPerSecond)),
                peakMemoryMiB: SeedStatistic(runs.compactMap(\.peakMemoryMiB)),
                devLoss: SeedStatistic(runs.compactMap(\.devLoss)),
                test: Dictionary(
                    uniqueKeysWithValues: keys.compactMap { key in
                        SeedStatistic(runs.compactMap { $0.testMetrics[key] }).map { (key, $0) }
                    }))
        }
    }
}

/// The paper-style table of a study: method | trainable params | % | train time | tokens/s | peak memory |
/// dev loss | BLEU | ROUGE-1/2/L | …, as mean ± std over seeds.
enum StudyTable {
    static let names = [
        "bleu": "BLEU", "rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum",
        "nist": "NIST", "cider": "CIDEr", "chrf": "chrF", "chrf++": "chrF++", "ter": "TER",
    ]

    /// Test metric keys shown in the table (ROUGE-Lsum, which equals ROUGE-L on one-sentence outputs, stays in
    /// the CSV and JSON).
    static func shownKeys(_ rows: [StudyRow]) -> [String] {
        ReportTables.sortedMetricKeys(Set(rows.flatMap(\.test.keys))).filter { $0 != "rougeLsum" }
    }

    static func table(_ rows: [StudyRow]) -> ReportTable {
        let keys = shownKeys(rows)
        let header =
            ["method", "trainable params", "%", "seeds", "train time (s)", "tokens/s", "peak memory (MiB)", "dev loss"]
            + keys.map { names[$0] ?? $0 }
        let body = rows.map { row -> [String] in
            var cells = [row.configuration, ReportTables.grouped(row.trainableParameters)]
            cells.append(String(format: "%.4f", row.trainablePercent))
            cells.append("\(row.seeds.count)")
            cells.append(row.trainSeconds?.text("%.1f") ?? "–")
            cells.append(row.tokensPerSecond?.text("%.0f") ?? "–")
            cells.append(row.peakMemoryMiB?.text("%.0f") ?? "–")
            cells.append(row.devLoss?.text("%.4f") ?? "–")
            for key in keys {
                cells.append(row.test[key]?.text("%.2f", scale: key.hasPrefix("rouge") ? 100 : 1) ?? "–")
            }
            return cells
        }
        return ReportTable(
            title: "Study results", header: header, rows: body, numericColumns: Set(1..<header.count),
            notes: [
                "Mean ± sample standard deviation over seeds. Test scores on the test set (ROUGE F-measures × 100); dev loss of"
                    + " the adapter evaluated (best/ with a dev set, else final/); train time is the wall time of a run's"
                    + " training (loading, steps, evaluations, saving); peak memory is the resident high-water mark while training."
            ])
    }
}
