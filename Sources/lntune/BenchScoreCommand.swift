import ArgumentParser
import Benchmarks
import Foundation
import LNTune

extension ScoreBenchmark.Metric: ExpressibleByArgument {}

/// `lntune bench score`: time BLEU and ROUGE (with stemming) on the E2E and DialogSum test references,
/// best of N runs over data already in memory; eval/bench_metrics.py runs the Python tools on the same
/// corpora and prints the ratio.
struct BenchScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Time BLEU and ROUGE (stemmed) on the E2E and DialogSum test references.")

    @Option(help: "The shared data folder (holding datasets/).")
    var shared: String = "../shared"

    @Option(parsing: .unconditional, help: SharedBounds.repeats.help("Runs per measurement; the best is reported."))
    var repeats: Int = 5

    @Flag(help: "Print JSON: one line with the CPU, then an array of rows (for eval/bench_metrics.py).")
    var json = false

    @Option(help: "Time only this metric (bleu or rouge-stem), e.g. for profiling.")
    var only: ScoreBenchmark.Metric?

    func validate() throws {
        try SharedBounds.repeats.check(repeats)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: shared, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("no shared data folder at \(shared); pass --shared PATH")
        }
    }

    func run() throws {
        print(CPUInfo.current().header(json: json))
        let rows = try ScoreBenchmark.run(
            shared: URL(fileURLWithPath: shared), metrics: only.map { [$0] } ?? ScoreBenchmark.Metric.allCases,
            repeats: repeats)
        print(try ScoreBenchmark.format(rows, json: json, repeats: repeats))
    }
}
