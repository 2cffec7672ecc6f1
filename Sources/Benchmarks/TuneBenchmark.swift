import Foundation
import GPT2
import LNTune
import ResourceUsage
import Tuning

/// Optimizer steps of a tuning method against the bare model math: one `GPT2Model.lossAndGradients` on a
/// batch, then one `Tuner.step` (forward + backward + clip + update) on it, interleaved.
public enum TuneBenchmark {
    public struct Result: Sendable {
        public var summary: String
        public var tunerReport: String
        public var tokensPerStep: Int
        public var bare: TimedRuns
        public var step: TimedRuns
        public var optimizerStateFloats: Int
        public var peakMemoryMiB: Double

        public var text: String {
            let (b, s) = (bare, step)
            return [
                summary,
                "  \(tunerReport)",
                String(
                    format: "  bare lossAndGradients: best %.3f s, median %.3f s (%.0f tokens/s)", b.bestWallSeconds,
                    b.medianWallSeconds, Double(tokensPerStep) / b.bestWallSeconds),
                String(
                    format: "  Tuner.step:            best %.3f s, median %.3f s (%.0f tokens/s)", s.bestWallSeconds,
                    s.medianWallSeconds, Double(tokensPerStep) / s.bestWallSeconds),
                String(
                    format: "  step / bare (best): %.3f wall; %.3f process CPU (%.1f s vs %.1f s)",
                    s.bestWallSeconds / b.bestWallSeconds, s.bestCPUSeconds / b.bestCPUSeconds, s.bestCPUSeconds,
                    b.bestCPUSeconds),
                "  optimizer state: \(optimizerStateFloats) floats; peak RSS \(String(format: "%.0f", peakMemoryMiB)) MB",
            ].joined(separator: "\n")
        }
    }

    /// `configuration` on `model`, over one random `[batchSize, seqLen]` batch, `repeats` timed rounds after a
    /// warm-up step.
    public static func run(
        model: GPT2Model, configuration: TuningConfiguration, batchSize: Int = 8, seqLen: Int = 128, repeats: Int = 5
    ) throws -> Result {
        try BenchmarkError.require("--batch-size", batchSize, atLeast: 1)
        try BenchmarkError.require("--seq-len", seqLen, atLeast: 2)
        let tuner = try Tuner(
            model: model, method: configuration.method,
            options: TunerOptions(schedule: LearningRateSchedule(peak: 1e-4, shape: .constant, totalSteps: 1_000)))
        var random = TuningRandom(seed: 1)
        let n = batchSize * seqLen
        let tokens = (0..<n).map { _ in Int32(random.next() % UInt64(max(model.config.vocabSize, 1))) }
        let batch = TrainingBatch(
            tokens: try TokenBatch(tokens: tokens, batchSize: batchSize, length: seqLen), labels: tokens)
        let gradients = GPT2Parameters(config: model.config)
        let request = tuner.selection.gradientRequest
        let prefix = tuner.prefixSlots()
        let prefixGradients = prefix.map { PrefixSlots(config: model.config, length: $0.length) }
        // The tuner's model runs the method's hook-point module (LoRA), whose gradients the bare call also computes.
        let extensionGradients = FloatBuffer(count: tuner.extensionModule?.parameterCount ?? 0)

        _ = try tuner.step(batches: [batch])  // warm-up: first-touch of activations and gradients
        var bare = TimedRuns(), step = TimedRuns()
        for _ in 0..<max(repeats, 1) {
            _ = try bare.time {
                try tuner.model.lossAndGradients(
                    batch.tokens, labels: batch.labels, prefix: prefix, request: request, gradients: gradients,
                    prefixGradients: prefixGradients,
                    extensionGradients: tuner.extensionModule == nil ? nil : extensionGradients.buffer)
            }
            _ = try step.time { try tuner.step(batches: [batch]) }
        }
        let config = model.config
        return Result(
            summary:
                "\(tuner.configuration) on \(config.nLayer) layers, n_embd \(config.nEmbd); batch \(batchSize)×\(seqLen)",
            tunerReport: "\(tuner.report)", tokensPerStep: n, bare: bare, step: step,
            optimizerStateFloats: tuner.optimizer.firstMoment.count + tuner.optimizer.secondMoment.count,
            peakMemoryMiB: ProcessUsage.peakResidentMiB())
    }
}
