import ArgumentParser
import Benchmarks
import LNTune
import TextIO

/// `lntune bench decoding`: the cost of decoding bookkeeping with a free model (see `DecodingBenchmark`).
struct BenchDecodingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decoding",
        abstract: "Time greedy/beam-search bookkeeping per step over a zero-cost model (GPT-2 vocabulary size).")

    static let promptsBound = NumericBound("--prompts", 1...4096)
    static let numBeamsBound = NumericBound("--num-beams", 2...1000)
    static let newTokensBound = NumericBound("--new-tokens", 1...10_000)
    static let vocabularyBound = NumericBound("--vocabulary", 3...1_000_000, note: "more than 2 × --num-beams")

    @Option(parsing: .unconditional, help: promptsBound.help("Prompts decoded together.")) var prompts = 10
    @Option(parsing: .unconditional, help: numBeamsBound.help("Beams for the beam-search runs.")) var numBeams = 5
    @Option(parsing: .unconditional, help: newTokensBound.help("Decoding steps.")) var newTokens = 32
    @Option(parsing: .unconditional, help: vocabularyBound.help("Vocabulary size.")) var vocabulary = 50257
    @Option(parsing: .unconditional, help: SharedBounds.repeats.help("Repeats (the best is reported).")) var repeats = 3
    @Flag(help: "Also decode with a random GPT-2 small forward (prefill included) to compare with the model's cost.")
    var withModel = false

    func validate() throws {
        try Self.promptsBound.check(prompts)
        try Self.numBeamsBound.check(numBeams)
        try Self.newTokensBound.check(newTokens)
        try Self.vocabularyBound.check(vocabulary)
        try SharedBounds.repeats.check(repeats)
        guard vocabulary > 2 * numBeams else {
            throw ValidationError("--vocabulary \(vocabulary) must exceed 2 × --num-beams (\(2 * numBeams))")
        }
    }

    func run() throws {
        // Logits of every beam row, the scratch copy beam search scores them in, and the sort of one prompt.
        let rows = MemoryEstimate.multiply(prompts, numBeams)
        try MemoryEstimate([("logits", MemoryEstimate.floats(3, rows, vocabulary))]).check(
            "decoding \(NumberText.count(prompts, "prompt")) × \(NumberText.count(numBeams, "beam"))",
            hint: "lower --prompts, --num-beams or --vocabulary")
        print(CPUInfo.current().header(json: false))
        var results = try DecodingBenchmark.run(
            vocabularySize: vocabulary, prompts: prompts, numBeams: numBeams, newTokens: newTokens, repeats: repeats)
        if withModel {
            results += try DecodingBenchmark.runWithModel(
                config: .small, prompts: prompts, numBeams: numBeams, newTokens: newTokens, repeats: repeats)
        }
        print(DecodingBenchmark.table(results))
    }
}
