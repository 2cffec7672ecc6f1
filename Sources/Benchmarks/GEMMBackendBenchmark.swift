import GPT2
import Kernels

/// The fp32 matrix products of a GPT-2 training step timed on OpenBLAS (LNTune's fixed-block `Linear`) and on
/// oneDNN with weights packed once (`OneDNNPackedWeights`, the same fixed blocks): each block Linear's and the
/// tied head's forward product and frozen-weight input gradient, on M = batch × length rows. The two run
/// alternately `repeats` times after one warm-up each, so a shared machine's load hits both alike; best of each.
public enum GEMMBackendBenchmark {
    public struct Row: Sendable, Codable, Equatable {
        /// `qkv forward`, `fc input-gradient`, `head forward`, …
        public var product: String
        public var m: Int
        public var k: Int
        public var n: Int
        public var openBLASGflops: Double
        public var oneDNNGflops: Double
        /// oneDNN's kernel (`gemm:jit`, `brg:avx512_core`, …).
        public var oneDNNKernel: String
        /// The faster backend of the two on this shape.
        public var faster: String

        enum CodingKeys: String, CodingKey {
            case product, m, k, n, faster
            case openBLASGflops = "openblas_gflops"
            case oneDNNGflops = "onednn_gflops"
            case oneDNNKernel = "onednn_kernel"
        }
    }

    public static func run(config: GPT2Config, rows m: Int, repeats: Int = 3) throws -> [Row] {
        // Fewer rows go to the few-row loops of decoding, not to either library.
        try BenchmarkError.require("--batch-size × --seq-len", m, atLeast: 64)
        let (c, h, v) = (config.nEmbd, config.innerSize, config.vocabSize)
        let shapes: [(String, Int, Int, Linear.WeightLayout)] = [
            ("qkv", c, 3 * c, .inputMajor), ("attn proj", c, c, .inputMajor), ("fc", c, h, .inputMajor),
            ("mlp proj", h, c, .inputMajor), ("head", c, v, .outputMajor),
        ]
        var rows: [Row] = []
        for (name, inFeatures, outFeatures, layout) in shapes {
            let weights = filled(inFeatures * outFeatures, seed: 1)
            let input = filled(m * inFeatures, seed: 2), gradient = filled(m * outFeatures, seed: 3)
            let output = filled(m * outFeatures, seed: 4), inputGradient = filled(m * inFeatures, seed: 5)
            defer { [weights, input, gradient, output, inputGradient].forEach { $0.deallocate() } }
            let ld = layout == .inputMajor ? outFeatures : inFeatures
            guard
                let forward = OneDNNPackedWeights(
                    source: weights, type: .f32, depth: inFeatures, columns: outFeatures, ld: ld,
                    transposed: layout == .outputMajor),
                let backward = OneDNNPackedWeights(
                    source: weights, type: .f32, depth: outFeatures, columns: inFeatures, ld: ld,
                    transposed: layout == .inputMajor)
            else { throw BenchmarkError.unavailable("oneDNN made no f32 matmul for \(name) on this machine") }
            let openBLAS: [() -> Void] = [
                {
                    Linear.forward(
                        out: output, inp: input, weight: weights, bias: nil, rows: m, inFeatures: inFeatures,
                        outFeatures: outFeatures, layout: layout)
                },
                {
                    Linear.backward(
                        dinp: inputGradient, dweight: nil, dbias: nil, dout: gradient, inp: nil, weight: weights,
                        rows: m,
                        inFeatures: inFeatures, outFeatures: outFeatures, layout: layout, accumulateInput: false)
                },
            ]
            let oneDNN: [() -> Void] = [
                {
                    _ = forward.multiply(
                        c: output, ldc: outFeatures, a: input, lda: inFeatures, rows: m, accumulate: false)
                },
                {
                    _ = backward.multiply(
                        c: inputGradient, ldc: inFeatures, a: gradient, lda: outFeatures, rows: m, accumulate: false)
                },
            ]
            for (i, direction) in ["forward", "input-gradient"].enumerated() {
                var runs = [TimedRuns(), TimedRuns()]
                for round in 0...max(repeats, 1) {
                    for (j, body) in [openBLAS[i], oneDNN[i]].enumerated() {
                        var timed = TimedRuns()
                        timed.time(body)
                        if round > 0 { runs[j].append(timed.runs[0]) }  // round 0 is the warm-up
                    }
                }
                let flops = 2 * Double(m) * Double(inFeatures) * Double(outFeatures)
                let (blas, dnnl) = (flops / runs[0].bestWallSeconds / 1e9, flops / runs[1].bestWallSeconds / 1e9)
                let (k, n) = i == 0 ? (inFeatures, outFeatures) : (outFeatures, inFeatures)
                rows.append(
                    Row(
                        product: "\(name) \(direction)", m: m, k: k, n: n, openBLASGflops: blas, oneDNNGflops: dnnl,
                        oneDNNKernel: (i == 0 ? forward : backward).implementation,
                        faster: blas >= dnnl ? "openblas" : "onednn"))
            }
        }
        return rows
    }

    /// Deterministic values of unit size (the bits do not matter to the timing, only that they are finite).
    private static func filled(_ count: Int, seed: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
        for i in 0..<count { p[i] = Float((i &* 2_654_435_761 &+ seed) % 1000) / 1000 - 0.5 }
        return p
    }

    /// The rows as JSON lines or as a Markdown table.
    public static func format(_ rows: [Row], json: Bool) -> String {
        if json { return rows.map(JSONLine.encode).joined(separator: "\n") }
        let lines = rows.map {
            String(
                format: "| %@ | %d×%d×%d | %.1f | %.1f (%@) | %.2f | %@ |", $0.product, $0.m, $0.k, $0.n,
                $0.openBLASGflops, $0.oneDNNGflops, $0.oneDNNKernel, $0.oneDNNGflops / $0.openBLASGflops, $0.faster)
        }
        return
            ([
                "| product | M×K×N | OpenBLAS GFLOP/s | oneDNN packed GFLOP/s (kernel) | oneDNN/OpenBLAS | faster |",
                "|---|---|---:|---:|---:|---|",
            ] + lines).joined(separator: "\n")
    }
}
