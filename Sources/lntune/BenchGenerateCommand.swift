import ArgumentParser
import Benchmarks
import LNTune

/// `lntune bench generate`: decoding throughput of a real checkpoint (new tokens per second, prefill included),
/// for eval/bench_generate.py, which runs transformers' `generate` on the same model in the same run.
struct BenchGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Greedy (batch 1 and N) and beam-search tokens/s on a model folder, EOS disabled.")

    @Option(help: "Model folder or cached hub name (e.g. a random GPT-2 from eval/make_random_gpt2.py).")
    var model: String
    @Option(help: "An adapter folder to decode with (a LoRA adapter runs beside the Linears unless --merge).")
    var adapter: String?
    @Flag(help: "Fold the adapter into the weights first (as lntune merge does), so decoding costs the base model's.")
    var merge = false
    @Option(help: "Prompt length in tokens.") var promptLength = 16
    @Option(help: "New tokens per sequence.") var newTokens = 32
    @Option(help: "Prompts of the batched greedy run.") var batchSize = 8
    @Option(help: "Beams of the beam-search run.") var numBeams = 5
    @Option(help: "Repeats (the best is reported).") var repeats = 3
    @Flag(help: "Print JSON lines (the CPU, then one per mode) instead of a table.") var json = false
    @Option(
        help: ArgumentHelp(
            "Decode with a new adapter of this method (e.g. adapter, mam), to time what it adds.",
            discussion: "The method options of `lntune train` apply; without --method the model decodes as it is."))
    var method: String?
    @Argument(parsing: .allUnrecognized, help: .hidden) var methodArguments: [String] = []

    func validate() throws {
        guard promptLength > 0, newTokens > 0, batchSize > 0, numBeams > 1, repeats > 0 else {
            throw ValidationError("need positive lengths, batch size and repeats, and --num-beams > 1")
        }
        if merge && adapter == nil { throw ValidationError("--merge needs --adapter") }
        // A new adapter of --method replaces the model's hook-point module, so it cannot sit on a loaded one.
        if adapter != nil && method != nil {
            throw ValidationError("--adapter decodes a trained adapter, --method times a new one: give one of them")
        }
        _ = try configuration()
    }

    func configuration() throws -> TuningConfiguration? {
        guard let method else {
            guard methodArguments.isEmpty else { throw ValidationError("method options need --method") }
            return nil
        }
        return try TuningMethods.configuration(named: method, arguments: methodArguments)
    }

    func run() throws {
        print(CPUInfo.current().header(json: json))
        let gpt2 = try ModelLoader.loadWeights(
            ModelRequest(model: model, adapter: adapter), adapterUse: merge ? .merge : .apply
        ).makeModel()
        let rows = try GenerateBenchmark.run(
            model: gpt2, method: try configuration()?.method, promptLength: promptLength, newTokens: newTokens,
            batchSize: batchSize, numBeams: numBeams,
            repeats: repeats)
        print(GenerateBenchmark.format(rows, json: json))
    }
}
