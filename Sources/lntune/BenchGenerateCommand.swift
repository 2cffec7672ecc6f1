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
    @Option(help: "An adapter folder to decode with (a LoRA adapter runs beside the Linears unless --merge).")
    var adapter: String?
    @Flag(help: "Fold the adapter into the weights first (as lntune merge does), so decoding costs the base model's.")
    var merge = false
    static let promptLengthBound = NumericBound(
        "--prompt-length", 1...100_000, note: "with --new-tokens within n_positions")
    static let newTokensBound = NumericBound("--new-tokens", 1...100_000)
    static let numBeamsBound = NumericBound("--num-beams", 2...1000, note: "at most the vocabulary size")

    @Option(parsing: .unconditional, help: promptLengthBound.help("Prompt length in tokens.")) var promptLength = 16
    @Option(parsing: .unconditional, help: newTokensBound.help("New tokens per sequence.")) var newTokens = 32
    @Option(parsing: .unconditional, help: SharedBounds.batchSize.help("Prompts of the batched greedy run."))
    var batchSize = 8
    @Option(parsing: .unconditional, help: numBeamsBound.help("Beams of the beam-search run.")) var numBeams = 5
    @Option(parsing: .unconditional, help: SharedBounds.repeats.help("Repeats (the best is reported).")) var repeats = 3
    @Flag(help: "Print JSON lines (the CPU, then one per mode) instead of a table.") var json = false
    @Option(
        help: ArgumentHelp(
            "Decode with a new adapter of this method (e.g. adapter, mam), to time what it adds.",
            discussion: "The method options of `lntune train` apply; without --method the model decodes as it is."))
    var method: String?
    @Argument(parsing: .allUnrecognized, help: .hidden) var methodArguments: [String] = []
    @Option(help: .precision) var precision: Precision = .fp32
    @Flag(help: "Greedy batch 1 only, fp32 and bf16 alternately in one run (best of --repeats each), and their ratio.")
    var comparePrecision = false

    func validate() throws {
        try Self.promptLengthBound.check(promptLength)
        try Self.newTokensBound.check(newTokens)
        try SharedBounds.batchSize.check(batchSize)
        try Self.numBeamsBound.check(numBeams)
        try SharedBounds.repeats.check(repeats)
        try PathFlags.refuseEmpty([("--model", model), ("--adapter", adapter)])
        if merge && adapter == nil { throw ValidationError("--merge needs --adapter") }
        // A new adapter of --method replaces the model's hook-point module, so it cannot sit on a loaded one.
        if adapter != nil && method != nil {
            throw ValidationError("--adapter decodes a trained adapter, --method times a new one: give one of them")
        }
        try CommandFailure.usage { _ = try configuration() }
    }

    func configuration() throws -> TuningConfiguration? {
        guard let method else {
            guard methodArguments.isEmpty else { throw ValidationError("method options need --method") }
            return nil
        }
        return try TuningMethods.configuration(named: method, arguments: methodArguments)
    }

    func run() throws {
        notePrecision(comparePrecision ? .bf16 : precision)
        let gpt2 = try ModelLoader.loadWeights(
            ModelRequest(model: model, adapter: adapter), adapterUse: merge ? .merge : .apply
        ).makeModel(precision: precision)
        let c = gpt2.config
        let rows = max(batchSize, numBeams)
        let slots = promptLength + newTokens
        try MemoryEstimate([
            ("key/value cache", MemoryEstimate.cache(c, rows: rows + 1, slots: slots)),
            (
                "activations",
                MemoryEstimate.activations(c, rows: batchSize, length: promptLength, keys: slots, training: false)
            ),
            ("logits", MemoryEstimate.logits(c, rows: 3 * rows)),
        ]).check(
            "decoding \(batchSize) prompts or \(numBeams) beams of \(slots) tokens",
            hint: "lower --batch-size, --num-beams, --prompt-length or --new-tokens")
        print(CPUInfo.current().header(json: json))
        if comparePrecision {
            let rows = try GenerateBenchmark.comparePrecisions(
                parameters: gpt2.parameters, promptLength: promptLength, newTokens: newTokens, repeats: repeats)
            print(GenerateBenchmark.format(rows, json: json))
            return
        }
        let results = try GenerateBenchmark.run(
            model: gpt2, method: try configuration()?.method, promptLength: promptLength, newTokens: newTokens,
            batchSize: batchSize, numBeams: numBeams,
            repeats: repeats)
        print(GenerateBenchmark.format(results, json: json))
    }
}
