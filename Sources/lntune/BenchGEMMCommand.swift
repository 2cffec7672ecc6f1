import ArgumentParser
import Benchmarks
import LNTune

/// `lntune bench gemm`: a training step's fp32 products on OpenBLAS and on oneDNN with packed weights.
struct BenchGEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "A training step's fp32 matrix products on OpenBLAS and on oneDNN with pre-packed weights.",
        discussion: """
            Each block Linear's and the tied head's forward product and frozen-weight input gradient, on \
            --batch-size × --seq-len rows, OpenBLAS and oneDNN alternating (best of --repeats each, after a \
            warm-up); both cut the output into the same fixed blocks, each run single-threaded.
            """)

    @OptionGroup var options: ModelBenchOptions

    func validate() throws {
        if options.precision != .fp32 { throw ValidationError("bench gemm compares fp32 products only") }
    }

    func run() throws {
        print(CPUInfo.current().header(json: options.json))
        let rows = try GEMMBackendBenchmark.run(
            config: options.config.gpt2Config, rows: options.batchSize * options.seqLen, repeats: options.repeats)
        print(GEMMBackendBenchmark.format(rows, json: options.json))
    }
}
