import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Renders `TrainingEvent`s for a person: on a terminal one progress line rewritten in place (carriage
/// return), otherwise — a log file, CI — plain lines every `lineEvery` steps. Evaluations, checkpoints and
/// the closing report are always whole lines. Writes go straight to the file descriptor (no buffering), so a
/// watching process sees each line as it happens.
public final class ProgressPrinter {
    public let interactive: Bool
    public let lineEvery: Int
    private let output: FileHandle
    private var lineOpen = false

    public init(output: FileHandle = .standardOutput, interactive: Bool? = nil, lineEvery: Int = 10) {
        self.output = output
        self.interactive = interactive ?? (isatty(output.fileDescriptor) != 0)
        self.lineEvery = max(1, lineEvery)
    }

    public func handle(_ event: TrainingEvent) {
        switch event {
        case let .started(o):
            line(
                "model: \(o.modelFolder)"
                    + (o.tokenizerFolder == o.modelFolder ? "" : " (tokenizer: \(o.tokenizerFolder))"))
            line("method: \(o.method)")
            line(o.parameters.description)
            line("train: " + Self.describe(o.train))
            if let dev = o.dev { line("dev:   " + Self.describe(dev)) }
            line(
                "steps: \(o.totalSteps) (\(o.stepsPerEpoch) per epoch), peak lr \(Self.scientific(o.learningRate)),"
                    + " max length \(o.maxLength)" + (o.startStep > 0 ? "; resuming after step \(o.startStep)" : ""))
        case let .step(s):
            let text =
                String(format: "step %d/%d | epoch %.2f | loss %.4f", s.step, s.totalSteps, s.epoch, s.loss)
                + " | lr \(Self.scientific(s.learningRate)) | \(Self.rate(s.tokensPerSecond)) tok/s"
                + " | ETA \(Self.duration(s.etaSeconds))"
            if interactive {
                write("\r\u{1B}[K" + text)
                lineOpen = true
            } else if s.step % lineEvery == 0 || s.step == s.totalSteps || s.step == 1 {
                line(text)
            }
        case let .evaluating(p):
            // A dev evaluation can take minutes: show it like the steps, never as silence.
            let text =
                "eval  step \(p.step) | batch \(p.batches)/\(p.totalBatches) | ETA \(Self.duration(p.etaSeconds))"
            if interactive {
                write("\r\u{1B}[K" + text)
                lineOpen = true
            } else if p.batches % max(lineEvery, p.totalBatches / 10) == 0 && p.batches < p.totalBatches {
                line(text)  // at most about ten lines per evaluation in a log file
            }
        case let .evaluation(e):
            let best =
                e.bestMetricName.map { "\($0) \(String(format: "%.4f", e.bestMetric ?? .nan))" }
                ?? String(format: "%.4f", e.bestDevLoss ?? .nan)
            let tag =
                e.step == 0
                ? " (before training)"
                : e.isBest
                    ? " (best)" : " (best \(best) at step \(e.bestStep ?? 0))"
            let metrics = e.metrics.sorted { $0.key < $1.key }.map {
                " | \($0.key) \(String(format: "%.4f", $0.value))"
            }
            line(
                String(format: "eval  step %d | epoch %.2f | dev loss %.4f", e.step, e.epoch, e.devLoss)
                    + metrics.joined() + tag)
        case let .checkpoint(step, file):
            line("checkpoint after step \(step): \(file)")
        }
    }

    /// The closing report: how the run ended, losses, adapters, throughput and where the time went.
    public func report(_ s: TrainingSummary) {
        switch s.status {
        case .completed: line("done: \(s.completedSteps) steps")
        case .stoppedEarly:
            line("stopped early after \(s.completedSteps) of \(s.totalSteps) steps (no better dev loss)")
        case .interrupted:
            line("interrupted after step \(s.completedSteps) of \(s.totalSteps); checkpoint: \(s.checkpoint ?? "-")")
            line("continue with the same command plus --resume")
        case .diverged, .failed:
            line("\(s.status.rawValue) after step \(s.completedSteps) of \(s.totalSteps): \(s.error ?? "-")")
        case .running: break
        }
        let f = { (x: Double?) in x.map { String(format: "%.4f", $0) } ?? "-" }
        if s.initialDevLoss != nil || s.lastDevLoss != nil {
            line(
                "dev loss: before \(f(s.initialDevLoss)), last \(f(s.lastDevLoss)), best \(f(s.bestDevLoss))"
                    + (s.bestStep.map { " at step \($0)" } ?? ""))
        }
        if let final = s.finalAdapter { line("final adapter: \(final)") }
        if let best = s.bestAdapter { line("best adapter:  \(best)") }
        line(
            "throughput: \(Self.rate(s.tokensPerSecond)) tokens/s"
                + " (\(Self.rate(s.targetTokensPerSecond)) target, \(Self.rate(s.paddedTokensPerSecond)) with padding) over \(Self.grouped(s.tokensTrained)) tokens"
        )
        let t = s.times
        let rows: [(String, Double)] = [
            ("load model", t.loadModel), ("load tokenizer", t.loadTokenizer), ("read data", t.loadData),
            ("tokenise", t.tokenize), ("hash data", t.hashData), ("batching", t.batching),
            ("train steps", t.trainSteps),
            ("dev evaluation", t.evaluation), ("saving", t.saving),
        ]
        line("time: " + rows.filter { $0.1 > 0 }.map { "\($0.0) \(Self.seconds($0.1))" }.joined(separator: ", "))
        let share = t.total > 0 ? 100 * t.outsideModel / t.total : 0
        line(
            "outside the model (loading, tokenising, batching): \(Self.seconds(t.outsideModel)) = "
                + String(format: "%.1f%%", share) + " of \(Self.seconds(t.total))")
    }

    public func line(_ text: String) {
        write((lineOpen ? "\n" : "") + text + "\n")
        lineOpen = false
    }

    private func write(_ text: String) { output.write(Data(text.utf8)) }

    static func describe(_ c: SplitCounts) -> String {
        var parts = [
            "\(c.examples) examples", "\(c.sequences) sequences",
            "\(grouped(c.tokens)) tokens (\(grouped(c.targetTokens)) target)",
        ]
        if let inFile = c.examplesInFile { parts[0] = "\(c.examples) of \(inFile) examples (--max-dev-examples)" }
        if c.skippedRows > 0 { parts.append("\(c.skippedRows) bad rows skipped") }
        if c.skippedTooLong > 0 { parts.append("\(c.skippedTooLong) too long, skipped") }
        if c.truncated > 0 { parts.append("\(c.truncated) sources truncated") }
        return "\(c.file): " + parts.joined(separator: ", ")
    }

    /// A rate rounded to a whole number with thousands separators ("?" if it is not finite).
    static func rate(_ x: Double) -> String { x.isFinite && abs(x) < 1e15 ? grouped(Int(x.rounded())) : "?" }

    static func scientific(_ x: Double) -> String { String(format: "%.2e", x) }

    static func seconds(_ s: Double) -> String { s < 10 ? String(format: "%.2f s", s) : String(format: "%.1f s", s) }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0, s < 1e12 else { return "?" }
        let total = Int(s.rounded())
        if total >= 3600 { return "\(total / 3600)h\(String(format: "%02d", total / 60 % 60))m" }
        if total >= 60 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(abs(n)))
        var out = n < 0 ? "-" : ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
