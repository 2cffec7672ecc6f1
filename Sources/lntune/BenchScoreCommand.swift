import ArgumentParser
import Foundation
import LNTune
import Metrics

/// `lntune bench score`: time BLEU and ROUGE (with stemming) on the E2E and DialogSum test references,
/// best of N runs over data already in memory; eval/bench_metrics.py runs the Python tools on the same
/// corpora and prints the ratio.
struct BenchScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Time BLEU and ROUGE (stemmed) on the E2E and DialogSum test references.")

    @Option(help: "The shared data folder (holding datasets/).")
    var shared: String = "../shared"

    @Option(help: "Runs per measurement; the best is reported.")
    var repeats: Int = 5

    @Flag(help: "Print JSON (for eval/bench_metrics.py).")
    var json = false

    @Option(help: "Time only this metric (bleu or rouge-stem), e.g. for profiling.")
    var only: String?

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        if let only, !["bleu", "rouge-stem"].contains(only) {
            throw ValidationError("--only takes bleu or rouge-stem")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: shared, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("no shared data folder at \(shared); pass --shared PATH")
        }
    }

    struct Row: Codable {
        var corpus: String
        var metric: String
        var segments: Int
        var seconds: Double
        var score: Double
    }

    func run() throws {
        let root = URL(fileURLWithPath: shared)
        var rows = [Row]()
        let corpora = [
            ("e2e", try BenchmarkCorpora.e2eTest(shared: root)),
            ("dialogsum", try BenchmarkCorpora.dialogSumTest(shared: root)),
        ]
        for (name, corpus) in corpora {
            let (h, r) = (corpus.hypotheses, corpus.references)
            if only != "rouge-stem" {
                let (seconds, bleu) = try best { try BLEU().corpusScore(hypotheses: h, references: r).score }
                rows.append(Row(corpus: name, metric: "bleu", segments: h.count, seconds: seconds, score: bleu))
            }
            if only != "bleu" {
                let (seconds, rouge) = try best {
                    Rouge.mean(try Rouge(useStemmer: true).scores(predictions: h, targets: r))[0].fmeasure
                }
                rows.append(Row(corpus: name, metric: "rouge-stem", segments: h.count, seconds: seconds, score: rouge))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        print("corpus     metric      segments   best of \(repeats) (ms)   score")
        for row in rows {
            let ms = String(format: "%.2f", row.seconds * 1000)
            print(
                row.corpus.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + row.metric.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(row.segments).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + ms.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%.4f", row.score))
        }
    }

    /// The fastest of `repeats` runs and the value it computed.
    private func best(_ body: () throws -> Double) throws -> (Double, Double) {
        var fastest = Double.infinity, value = 0.0
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            value = try body()
            fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return (fastest, value)
    }
}
