import Foundation

/// What `lntune bench forward|train-step` prints: one JSON object (eval/bench_forward.py reads its field
/// names, which stay as they are) or a few lines of text.
public struct ModelBenchReport: Sendable, Encodable {
    public var benchmark: String
    public var config: String
    public var batchSize: Int
    public var seqLen: Int
    public var result: ModelBenchmark.Result
    /// Forward only: tokens/s with logits at the last position alone.
    public var lastPositionOnlyTokensPerSecond: Double?

    public init(
        benchmark: String, config: String, batchSize: Int, seqLen: Int, result: ModelBenchmark.Result,
        lastPositionOnlyTokensPerSecond: Double? = nil
    ) {
        self.benchmark = benchmark
        self.config = config
        self.batchSize = batchSize
        self.seqLen = seqLen
        self.result = result
        self.lastPositionOnlyTokensPerSecond = lastPositionOnlyTokensPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case benchmark, config
        case batchSize = "batch"
        case seqLen = "seq"
        case tokensPerSecond = "tokens_per_second"
        case bestSeconds = "best_seconds"
        case allSeconds = "all_seconds"
        case cpuSeconds = "cpu_seconds"
        case gemmSeconds = "gemm_seconds"
        case gemmCPUSeconds = "gemm_cpu_seconds"
        case peakMemoryMiB = "peak_memory_mib"
        case lastPositionOnlyTokensPerSecond = "last_position_only_tokens_per_second"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(benchmark, forKey: .benchmark)
        try c.encode(config, forKey: .config)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(seqLen, forKey: .seqLen)
        try c.encode(result.tokensPerSecond, forKey: .tokensPerSecond)
        try c.encode(result.bestSeconds, forKey: .bestSeconds)
        try c.encode(result.allSeconds, forKey: .allSeconds)
        try c.encode(result.cpuSeconds, forKey: .cpuSeconds)
        try c.encode(result.gemmSeconds, forKey: .gemmSeconds)
        try c.encode(result.gemmCPUSeconds, forKey: .gemmCPUSeconds)
        try c.encode(result.peakMemoryMiB, forKey: .peakMemoryMiB)
        try c.encodeIfPresent(lastPositionOnlyTokensPerSecond, forKey: .lastPositionOnlyTokensPerSecond)
    }

    /// The report as one JSON line.
    public var json: String { JSONLine.encode(self) }

    /// The report as text.
    public var text: String {
        let r = result
        let runs = r.allSeconds.map { String(format: "%.3f", $0) }.joined(separator: " ")
        var lines = [
            "\(benchmark) GPT-2 \(config), B=\(batchSize) T=\(seqLen): \(String(format: "%.0f", r.tokensPerSecond)) tokens/s",
            "  best \(String(format: "%.3f", r.bestSeconds)) s (runs: \(runs)), CPU time \(String(format: "%.3f", r.cpuSeconds)) s",
            "  the same matrix products alone: \(String(format: "%.3f", r.gemmSeconds)) s"
                + " (\(String(format: "%.0f", r.gemmSeconds / r.bestSeconds * 100))% of the step), CPU time "
                + String(format: "%.3f", r.gemmCPUSeconds) + " s",
            "  peak resident memory: \(String(format: "%.0f", r.peakMemoryMiB)) MiB",
        ]
        if let last = lastPositionOnlyTokensPerSecond {
            lines.append("  last_position_only_tokens_per_second: \(String(format: "%.1f", last))")
        }
        return lines.joined(separator: "\n")
    }
}
