import Foundation
import LNTune
import Metrics

/// BLEU and ROUGE (with stemming) on the E2E and DialogSum test references (`BenchmarkCorpora`), best of N runs
/// over data already in memory; eval/bench_metrics.py runs the Python tools on the same corpora.
public enum ScoreBenchmark {
    public enum Metric: String, CaseIterable, Sendable {
        case bleu
        case rougeStem = "rouge-stem"
    }

    /// One metric on one corpus. The JSON field names are what eval/bench_metrics.py reads.
    public struct Row: Codable, Sendable, Equatable {
        public var corpus: String
        public var metric: String
        public var segments: Int
        /// Best wall time of the runs.
        public var seconds: Double
        /// BLEU, or the mean ROUGE-1 F-measure.
        public var score: Double
    }

    /// Both corpora read from `shared` (the folder holding `datasets/`), each of `metrics` timed `repeats` times.
    public static func run(shared: URL, metrics: [Metric] = Metric.allCases, repeats: Int = 5) throws -> [Row] {
        let corpora = [
            ("e2e", try BenchmarkCorpora.e2eTest(shared: shared)),
            ("dialogsum", try BenchmarkCorpora.dialogSumTest(shared: shared)),
        ]
        return try corpora.flatMap { name, corpus in
            try metrics.map { metric in try run(metric, on: corpus, named: name, repeats: repeats) }
        }
    }

    /// One metric on one corpus, best of `repeats`.
    public static func run(_ metric: Metric, on corpus: ScoringCorpus, named name: String, repeats: Int) throws -> Row {
        let (h, r) = (corpus.hypotheses, corpus.references)
        var score = 0.0
        let runs = try TimedRuns.measure(repeats: repeats) {
            switch metric {
            case .bleu: score = try BLEU().corpusScore(hypotheses: h, references: r).score
            case .rougeStem:
                let means = Rouge.mean(try Rouge(useStemmer: true).scores(predictions: h, targets: r))
                score = means.first?.fmeasure ?? 0  // ROUGE-1
            }
        }
        return Row(
            corpus: name, metric: metric.rawValue, segments: h.count, seconds: runs.bestWallSeconds, score: score)
    }

    /// The rows as one pretty-printed JSON array, or as a text table.
    public static func format(_ rows: [Row], json: Bool, repeats: Int) throws -> String {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(rows), as: UTF8.self)
        }
        var lines = ["corpus     metric      segments   best of \(repeats) (ms)   score"]
        for row in rows {
            let ms = String(format: "%.2f", row.seconds * 1000)
            lines.append(
                row.corpus.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + row.metric.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(row.segments).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + ms.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%.4f", row.score))
        }
        return lines.joined(separator: "\n")
    }
}
