import ArgumentParser
import Foundation
import GPT2
import LNTune

/// Options shared by the model benchmarks.
struct ModelBenchOptions: ParsableArguments {
    @Option(help: "Model size: small (124M) or medium (355M); weights are random.")
    var config: String = "small"
    @Option(help: "Rows per batch.")
    var batch: Int = 8
    @Option(help: "Tokens per row.")
    var seq: Int = 128
    @Option(help: "Timed runs (the best is reported) after one warm-up run.")
    var repeats: Int = 3
    @Flag(help: "Print one JSON object instead of text (for eval/bench_forward.py).")
    var json = false

    func validate() throws {
        guard ["small", "medium"].contains(config) else { throw ValidationError("--config must be small or medium") }
        guard batch > 0, seq > 1, repeats > 0 else { throw ValidationError("--batch, --repeats must be positive, --seq > 1") }
        guard seq <= 1024 else { throw ValidationError("--seq must be at most 1024 (n_positions)") }
    }

    var modelConfig: GPT2Config { config == "medium" ? .medium : .small }

    /// Prints a result as text or as one JSON line.
    func report(_ name: String, _ r: ModelBenchmark.Result, extra: [String: Double] = [:]) {
        let share = r.gemmSeconds / r.bestSeconds
        if json {
            var object: [String: Any] = [
                "benchmark": name, "config": config, "batch": batch, "seq": seq, "tokens_per_second": r.tokensPerSecond,
                "best_seconds": r.bestSeconds, "all_seconds": r.allSeconds, "gemm_seconds": r.gemmSeconds,
                "cpu_seconds": r.cpuSeconds, "gemm_cpu_seconds": r.gemmCPUSeconds,
            ]
            if let mem = r.peakMemoryMiB { object["peak_memory_mib"] = mem }
            for (k, v) in extra { object[k] = v }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
                let line = String(data: data, encoding: .utf8)
            {
                print(line)
            }
        } else {
            let runs = r.allSeconds.map { String(format: "%.3f", $0) }.joined(separator: " ")
            print("\(name) GPT-2 \(config), B=\(batch) T=\(seq): \(String(format: "%.0f", r.tokensPerSecond)) tokens/s")
            print("  best \(String(format: "%.3f", r.bestSeconds)) s (runs: \(runs)), CPU time \(String(format: "%.3f", r.cpuSeconds)) s")
            print("  the same matrix products alone: \(String(format: "%.3f", r.gemmSeconds)) s"
                + " (\(String(format: "%.0f", share * 100))% of the step), CPU time \(String(format: "%.3f", r.gemmCPUSeconds)) s")
            if let mem = r.peakMemoryMiB { print("  peak resident memory: \(String(format: "%.0f", mem)) MiB") }
            for (k, v) in extra.sorted(by: { $0.key < $1.key }) { print("  \(k): \(String(format: "%.1f", v))") }
        }
    }
}

/// `lntune bench forward`: forward tokens/s on a random GPT-2 (logits at every position, and at the last
/// position only).
struct BenchForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward", abstract: "Forward-pass throughput on a random-weight GPT-2.")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        let model = try ModelBenchmark.randomModel(config: options.modelConfig)
        let all = try ModelBenchmark.forward(
            model: model, batch: options.batch, length: options.seq, rows: .all, repeats: options.repeats)
        let last = try ModelBenchmark.forward(
            model: model, batch: options.batch, length: options.seq, rows: .last, repeats: options.repeats)
        options.report("forward", all, extra: ["last_position_only_tokens_per_second": last.tokensPerSecond])
    }
}
