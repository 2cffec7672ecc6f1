import GPT2
import Kernels
import LNTune
import ResourceUsage

/// Throughput of the model on random weights (`lntune bench forward|train-step`).
///
/// The machine is shared and noisy, so each figure is the best of several runs after a warm-up run.
public enum ModelBenchmark {
    /// The GPT-2 shapes the model benchmarks run.
    public enum ModelSize: String, CaseIterable, Sendable {
        case small, medium

        public var gpt2Config: GPT2Config { self == .medium ? .medium : .small }
    }

    public struct Result: Sendable {
        /// Tokens (B·T) per second of the best run.
        public var tokensPerSecond: Double
        public var bestSeconds: Double
        public var allSeconds: [Double]
        /// Process CPU time (user + system, both cores) of the fastest-CPU run: on a shared machine this
        /// moves less with other processes' load than wall time does.
        public var cpuSeconds: Double
        /// Seconds the same matrix products take alone (the BLAS floor of one run), wall and CPU.
        public var gemmSeconds: Double
        public var gemmCPUSeconds: Double
        /// Peak resident memory of the process so far, in MiB.
        public var peakMemoryMiB: Double
    }

    /// A model of `config` with random weights (`GPT2Parameters.random`): it costs what a trained one does.
    public static func randomModel(_ config: GPT2Config, seed: UInt64 = 1, precision: Precision = .fp32) throws
        -> GPT2Model
    {
        try GPT2Model(config: config, parameters: .random(config: config, seed: seed), precision: precision)
    }

    /// Forward passes over a random `[batchSize, seqLen]` batch, logits at `rows`.
    public static func forward(
        model: GPT2Model, batchSize b: Int, seqLen t: Int, rows: LogitRows = .all, repeats: Int = 3
    ) throws -> Result {
        let batch = try randomBatch(model.config, b, t)
        let runs = try TimedRuns.measure(repeats: repeats, warmUp: true) { () throws(GPT2Error) in
            _ = try model.logits(batch, rows: rows)
        }
        let logitRows = rows == .all ? b * t : b
        let gemm = GEMMFloor.elapsed(model.config, rows: b * t, headRows: logitRows, backward: false)
        return result(runs, tokens: b * t, gemm: gemm)
    }

    /// LN-Tuning training steps: forward, loss on every next token, backward for the LayerNorm gains and
    /// biases only, and AdamW on those ranges.
    public static func trainStep(model: GPT2Model, batchSize b: Int, seqLen t: Int, repeats: Int = 3) throws -> Result {
        try BenchmarkError.require("--seq-len", t, atLeast: 2)
        let batch = try randomBatch(model.config, b, t)
        let request = GradientRequest.layerNorms(model.config)
        let gradients = GPT2Parameters(config: model.config)
        let m = GPT2Parameters(config: model.config), v = GPT2Parameters(config: model.config)
        let ranges = request.ranges(in: gradients.layout)
        let optimizer = AdamW(learningRate: 1e-4)
        // The steps update the model's LayerNorms in place (a benchmark model is random anyway; a copy
        // would add 500 MB to the peak memory reported).
        let params = model.parameters
        var step = 0
        let runs = try TimedRuns.measure(repeats: repeats, warmUp: true) { () throws(GPT2Error) in
            request.zero(gradients)
            _ = try model.lossAndGradients(batch, labels: batch.tokens, request: request, gradients: gradients)
            step += 1
            optimizer.update(
                parameters: params.base, gradients: gradients.base, firstMoment: m.base, secondMoment: v.base,
                ranges: ranges, step: step)
        }
        let gemm = GEMMFloor.elapsed(model.config, rows: b * t, headRows: b * (t - 1), backward: true)
        return result(runs, tokens: b * t, gemm: gemm)
    }

    /// `b × t` pseudo-random token ids of `config`'s vocabulary (the same ones every run).
    static func randomBatch(_ config: GPT2Config, _ b: Int, _ t: Int) throws -> TokenBatch {
        try BenchmarkError.require("--batch-size", b, atLeast: 1)
        try BenchmarkError.require("--seq-len", t, atLeast: 1)
        var state: UInt64 = 12_345
        let tokens = (0..<(b * t)).map { _ -> Int32 in
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return Int32((state >> 33) % UInt64(max(config.vocabSize, 1)))
        }
        return try TokenBatch(tokens: tokens, batchSize: b, length: t)
    }

    static func result(_ runs: TimedRuns, tokens: Int, gemm: Elapsed) -> Result {
        Result(
            tokensPerSecond: Double(tokens) / runs.bestWallSeconds, bestSeconds: runs.bestWallSeconds,
            allSeconds: runs.wallSeconds, cpuSeconds: runs.bestCPUSeconds, gemmSeconds: gemm.wallSeconds,
            gemmCPUSeconds: gemm.cpuSeconds, peakMemoryMiB: ProcessUsage.peakResidentMiB())
    }
}
