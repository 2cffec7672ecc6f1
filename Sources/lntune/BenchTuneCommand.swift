import ArgumentParser
import Foundation
import GPT2
import LNTune
import Tuning

/// `lntune bench tune`: optimizer steps per second of a tuning method, against the bare model math.
struct BenchTuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Time Tuner.step (forward + backward + clip + update) against a bare lossAndGradients call.",
        discussion: """
            Runs interleaved: one bare GPT2Model.lossAndGradients on the batch (the model math alone), then one \
            Tuner.step on it; prints best and median of each, tokens/s, the tuner's overhead ratio, its trainable \
            and optimizer-state sizes, and the process's peak resident memory.
            """)

    @Option(help: "A model folder or a cached hub name.")
    var model: String

    @Option(help: "Tuning method: \(TuningMethods.names.joined(separator: ", ")).")
    var method = "ln"

    @Option(help: "Rows per batch.") var batchSize = 8
    @Option(help: "Tokens per row.") var length = 128
    @Option(help: "Prefix virtual tokens (prefix methods).") var prefixLength = 10
    @Option(help: "Timed repetitions.") var `repeat` = 5

    func validate() throws {
        _ = try configuration()
        guard batchSize > 0, length > 1, `repeat` > 0 else { throw ValidationError("sizes must be positive") }
    }

    /// The method's defaults, with `--prefix-length` for the methods that have a prefix.
    private func configuration() throws -> TuningConfiguration {
        let prefix = try TuningMethods.configuration(named: method).method.prefix != nil
        return try TuningMethods.configuration(
            named: method, arguments: prefix ? ["--prefix-length", String(prefixLength)] : [])
    }

    func run() throws {
        let checkpoint = try GPT2Checkpoint.load(directory: try ModelResolver.resolve(model))
        let gpt = try GPT2Model(checkpoint: checkpoint)
        let configuration = try configuration()
        let tuner = try Tuner(
            model: gpt, method: configuration.method,
            options: TunerOptions(schedule: LearningRateSchedule(peak: 1e-4, shape: .constant, totalSteps: 1_000)))
        var random = TuningRandom(seed: 1)
        let n = batchSize * length
        let tokens = (0..<n).map { _ in Int32(random.next() % UInt64(gpt.config.vocabSize)) }
        let batch = TrainingBatch(
            tokens: try TokenBatch(tokens: tokens, batchSize: batchSize, length: length), labels: tokens)
        let gradients = GPT2Parameters(config: gpt.config)
        let request = tuner.selection.gradientRequest
        let prefix = tuner.prefixSlots()
        let prefixGradients = prefix.map { PrefixSlots(config: gpt.config, length: $0.length) }

        _ = try tuner.step(batches: [batch])  // warm-up: first-touch of activations and gradients
        var bare: [Double] = [], bareCPU: [Double] = []
        var steps: [Double] = [], stepsCPU: [Double] = []
        for _ in 0..<`repeat` {
            let (w1, c1) = try time {
                _ = try gpt.lossAndGradients(
                    batch.tokens, labels: batch.labels, prefix: prefix, request: request, gradients: gradients,
                    prefixGradients: prefixGradients)
            }
            let (w2, c2) = try time { _ = try tuner.step(batches: [batch]) }
            bare.append(w1)
            bareCPU.append(c1)
            steps.append(w2)
            stepsCPU.append(c2)
        }
        let (b, s) = (bare.sorted(), steps.sorted())
        print(
            "\(tuner.configuration) on \(gpt.config.nLayer) layers, n_embd \(gpt.config.nEmbd); batch \(batchSize)×\(length)"
        )
        print("  \(tuner.report)")
        print(
            String(
                format: "  bare lossAndGradients: best %.3f s, median %.3f s (%.0f tokens/s)", b[0], b[b.count / 2],
                Double(n) / b[0]))
        print(
            String(
                format: "  Tuner.step:            best %.3f s, median %.3f s (%.0f tokens/s)", s[0], s[s.count / 2],
                Double(n) / s[0]))
        print(
            String(
                format: "  step / bare (best): %.3f wall; %.3f process CPU (%.1f s vs %.1f s)", s[0] / b[0],
                (stepsCPU.min() ?? 0) / (bareCPU.min() ?? 1), stepsCPU.min() ?? 0, bareCPU.min() ?? 0))
        print(
            "  optimizer state: \(tuner.optimizer.firstMoment.count + tuner.optimizer.secondMoment.count) floats;"
                + " peak RSS \(peakResidentMB()) MB")
    }

    /// Wall seconds and process CPU seconds (all threads: a loaded machine inflates the first, not the second).
    private func time(_ body: () throws -> Void) throws -> (Double, Double) {
        func cpu() -> Double {
            var usage = rusage()
            #if canImport(Glibc)
                getrusage(RUSAGE_SELF.rawValue, &usage)
            #else
                getrusage(RUSAGE_SELF, &usage)
            #endif
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        let (start, startCPU) = (DispatchTime.now().uptimeNanoseconds, cpu())
        try body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu() - startCPU)
    }

    /// VmHWM from /proc/self/status (Linux), in MB.
    private func peakResidentMB() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return "?" }
        return String(format: "%.0f", kb / 1024)
    }
}
