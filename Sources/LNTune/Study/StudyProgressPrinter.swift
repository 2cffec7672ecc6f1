import Foundation

/// Renders `StudyEvent`s for a person: a header line per run with the study's progress and estimated time
/// left, each run's training through `ProgressPrinter` (its overview left out after the first run), and a
/// line with its test scores.
public final class StudyProgressPrinter {
    public let printer: ProgressPrinter
    private var shownOverview = false

    public init(printer: ProgressPrinter = ProgressPrinter()) { self.printer = printer }

    public func handle(_ event: StudyEvent) {
        switch event {
        case let .planned(runs, configurations):
            printer.line(
                "study: \(runs) runs of \(configurations.count) configurations (\(configurations.joined(separator: ", ")))"
            )
        case let .runStarting(index, total, run, remaining):
            let eta = remaining.map { ", about \(ProgressPrinter.duration($0)) left" } ?? ""
            printer.line("\n[\(index + 1)/\(total)] \(run.configuration), seed \(run.seed) → \(run.training.out)\(eta)")
        case let .runSkipped(index, total, run):
            printer.line("[\(index + 1)/\(total)] \(run.configuration), seed \(run.seed): finished earlier, skipped")
        case let .training(training):
            if case .started = training {
                guard !shownOverview else { return }
                shownOverview = true
            }
            printer.handle(training)
        case let .trained(summary):
            let best =
                summary.bestDevLoss.map { String(format: "best dev loss %.4f at step %d, ", $0, summary.bestStep ?? 0) }
                ?? ""
            printer.line(
                "trained \(summary.completedSteps) steps: \(best)\(ProgressPrinter.rate(summary.tokensPerSecond)) tokens/s, "
                    + ProgressPrinter.seconds(summary.times.total))
        case let .testing(_, adapter):
            printer.line("decoding the test set with \(adapter)")
        case let .runFinished(_, _, result, seconds):
            let scores = ReportTables.sortedMetricKeys(Set(result.testMetrics.keys)).compactMap { key in
                result.testMetrics[key].map { "\(StudyTable.names[key] ?? key) " + String(format: "%.4g", $0) }
            }
            printer.line(
                "test (\(result.testExamples) examples): \(scores.joined(separator: ", ")); run took \(ProgressPrinter.seconds(seconds))"
            )
        }
    }
}
