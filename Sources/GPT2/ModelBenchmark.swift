import Foundation
import Kernels

/// Throughput measurements of the model on random weights (`lntune bench forward|train-step`).
///
/// The machine is shared and noisy, so each figure is the best of several runs after a warm-up run.
public enum ModelBenchmark {
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
        /// Peak resident memory of the process so far (VmHWM), in MiB; nil where /proc is absent.
        public var peakMemoryMiB: Double?
    }

    /// A model with transformers' initialisation (weights N(0, 0.02), LayerNorm gains 1 and biases 0)
    /// from a fixed seed; LayerNorm gains and biases get a small spread so their gradients are generic.
    public static func randomModel(config: GPT2Config, seed: UInt64 = 1) throws(GPT2Error) -> GPT2Model {
        let parameters = GPT2Parameters(config: config)
        var state = seed
        // A fast uniform generator: 124M values from a Gaussian sampler would take longer than the benchmark.
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        let spread = Float(0.02) * Float(12).squareRoot()  // uniform(−a/2, a/2) has σ = a/√12
        for slot in parameters.layout.slots {
            let p = parameters[slot.tensor]
            let (isNorm, isGain): (Bool, Bool)
            switch slot.tensor {
            case .finalNormWeight: (isNorm, isGain) = (true, true)
            case .finalNormBias: (isNorm, isGain) = (true, false)
            case let .block(_, t): (isNorm, isGain) = (t.isLayerNorm, t == .ln1Weight || t == .ln2Weight)
            case .tokenEmbedding, .positionEmbedding: (isNorm, isGain) = (false, false)
            }
            for i in p.indices { p[i] = isNorm ? (isGain ? 1 : 0) + 0.1 * uniform() : spread * uniform() }
        }
        return try GPT2Model(config: config, parameters: parameters)
    }

    /// Forward passes over a random `[batch, length]` batch, logits at `rows`.
    public static func forward(
        model: GPT2Model, batch b: Int, length t: Int, rows: LogitRows = .all, repeats: Int = 3
    ) throws(GPT2Error) -> Result {
        let batch = try randomBatch(model.config, b, t)
        let seconds = try measure(repeats) { () throws(GPT2Error) in _ = try model.logits(batch, rows: rows) }
        let logitRows = rows == .all ? b * t : b
        let gemm = gemmSeconds(model.config, rows: b * t, headRows: logitRows, backward: false)
        return result(seconds, tokens: b * t, gemm: gemm)
    }

    /// LN-Tuning training steps: forward, loss on every next token, backward for the LayerNorm gains and
    /// biases only, and AdamW on those ranges.
    public static func trainStep(model: GPT2Model, batch b: Int, length t: Int, repeats: Int = 3) throws(GPT2Error) -> Result {
        let batch = try randomBatch(model.config, b, t)
        let request = GradientRequest.layerNorms(model.config)
        let gradients = GPT2Parameters(config: model.config)
        let m = GPT2Parameters(config: model.config), v = GPT2Parameters(config: model.config)
        let ranges = request.ranges(in: gradients.layout)
        let optimizer = AdamW(learningRate: 1e-4)
        // The steps update the model's LayerNorms in place (a benchmark model is random anyway; a copy
        // would add 500 MB to the peak memory reported).
        let params = model.parameters
        let trained = model
        var step = 0
        let seconds = try measure(repeats) { () throws(GPT2Error) in
            request.zero(gradients)
            _ = try trained.lossAndGradients(batch, labels: batch.tokens, request: request, gradients: gradients)
            step += 1
            optimizer.update(
                parameters: params.base, gradients: gradients.base, firstMoment: m.base, secondMoment: v.base,
                ranges: ranges, step: step)
        }
        let gemm = gemmSeconds(model.config, rows: b * t, headRows: b * (t - 1), backward: true)
        return result(seconds, tokens: b * t, gemm: gemm)
    }

    // MARK: - Helpers

    static func randomBatch(_ config: GPT2Config, _ b: Int, _ t: Int) throws(GPT2Error) -> TokenBatch {
        var state: UInt64 = 12_345
        let tokens = (0..<(b * t)).map { _ -> Int32 in
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return Int32((state >> 33) % UInt64(config.vocabSize))
        }
        return try TokenBatch(tokens: tokens, batchSize: b, length: t)
    }

    /// Wall and CPU seconds of each timed run.
    static func measure(_ repeats: Int, _ body: () throws(GPT2Error) -> Void) throws(GPT2Error) -> [(Double, Double)] {
        try body()  // warm-up: first-touch of the workspace, BLAS thread start
        var out: [(Double, Double)] = []
        for _ in 0..<max(repeats, 1) {
            let cpu = cpuSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            out.append((Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpuSeconds() - cpu))
        }
        return out
    }

    static func result(_ runs: [(Double, Double)], tokens: Int, gemm: (Double, Double)) -> Result {
        let seconds = runs.map(\.0)
        let best = seconds.min() ?? .infinity
        return Result(
            tokensPerSecond: Double(tokens) / best, bestSeconds: best, allSeconds: seconds,
            cpuSeconds: runs.map(\.1).min() ?? 0, gemmSeconds: gemm.0, gemmCPUSeconds: gemm.1,
            peakMemoryMiB: peakMemoryMiB())
    }

    /// User + system CPU time of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// Times the matrix products of one forward (and the input-gradient products of a frozen-weight
    /// backward) alone, on scratch buffers, best of three: the part of a step BLAS sets.
    static func gemmSeconds(_ config: GPT2Config, rows n: Int, headRows: Int, backward: Bool) -> (Double, Double) {
        let (c, h, v) = (config.nEmbd, config.innerSize, config.vocabSize)
        // (in, out) of each block Linear; the head is (C, V) on `headRows` rows.
        let shapes = [(c, 3 * c), (c, c), (c, h), (h, c)]
        let maxIn = max(h, c), maxOut = max(3 * c, h)
        let rows = max(n, headRows)
        let x = UnsafeMutablePointer<Float>.allocate(capacity: rows * max(maxIn, v))
        let y = UnsafeMutablePointer<Float>.allocate(capacity: rows * max(maxOut, v))
        let w = UnsafeMutablePointer<Float>.allocate(capacity: max(maxIn * maxOut, v * c))
        defer { x.deallocate(); y.deallocate(); w.deallocate() }
        x.initialize(repeating: 0.01, count: rows * max(maxIn, v))
        y.initialize(repeating: 0.01, count: rows * max(maxOut, v))
        w.initialize(repeating: 0.01, count: max(maxIn * maxOut, v * c))
        var best = Double.infinity, bestCPU = Double.infinity
        for _ in 0..<3 {
            let cpu = cpuSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<config.nLayer {
                for (i, o) in shapes {
                    Linear.forward(out: y, inp: x, weight: w, bias: nil, rows: n, inFeatures: i, outFeatures: o)
                    if backward {
                        Linear.backward(
                            dinp: x, dweight: nil, dbias: nil, dout: y, inp: nil, weight: w, rows: n, inFeatures: i,
                            outFeatures: o, accumulateInput: false)
                    }
                }
            }
            Linear.forward(out: y, inp: x, weight: w, bias: nil, rows: headRows, inFeatures: c, outFeatures: v, layout: .outputMajor)
            if backward {
                Linear.backward(
                    dinp: x, dweight: nil, dbias: nil, dout: y, inp: nil, weight: w, rows: headRows, inFeatures: c,
                    outFeatures: v, layout: .outputMajor, accumulateInput: false)
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            bestCPU = min(bestCPU, cpuSeconds() - cpu)
        }
        return (best, bestCPU)
    }

    /// VmHWM from /proc/self/status, in MiB.
    public static func peakMemoryMiB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first
            return kb.map { $0 / 1024 }
        }
        return nil
    }
}
