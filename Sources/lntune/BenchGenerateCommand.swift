import ArgumentParser
import Benchmarks
import LNTune

/// `lntune bench generate`: decoding throughput of a real checkpoint (new tokens per second, prefill included),
/// for eval/bench_generate.py, which runs transformers' `generate` on the same model in the same run.
struct BenchGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Greedy (batch 1 and N) and beam-search tokens/s on a model folder, EOS disabled.")

    @Option(help: .model) var model: String
    @Option(help: "Prompt length in tokens.") var promptLength = 16
    @Option(help: "New tokens per sequence.") var newTokens = 32
    @Option(help: "Prompts of the batched greedy run.") var batchSize = 8
    @Option(help: "Beams of the beam-search run.") var numBeams = 5
    @OptionGroup var timing: BenchRunOptions
    @Flag(help: "Print JSON lines (the CPU, then one per mode) instead of a table.") var json = false

    func validate() throws {
        guard promptLength > 0, newTokens > 0, batchSize > 0, numBeams > 1 else {
            throw ValidationError("need positive lengths and batch size, and --num-beams > 1")
        }
    }

    func run() throws {
        print(CPUInfo.current().header(json: json))
        let gpt2 = try ModelLoader.loadWeights(ModelRequest(model: model)).makeModel()
        let rows = try GenerateBenchmark.run(
            model: gpt2, promptLength: promptLength, newTokens: newTokens, batchSize: batchSize, numBeams: numBeams,
            repeats: timing.repeats)
        print(GenerateBenchmark.format(rows, json: json))
    }
}
