import ArgumentParser
import Benchmarks
import LNTune

/// `lntune bench decoding`: the cost of decoding bookkeeping with a free model (see `DecodingBenchmark`).
struct BenchDecodingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decoding",
        abstract: "Time greedy/beam-search bookkeeping per step over a zero-cost model (GPT-2 vocabulary size).")

    @Option(help: "Prompts decoded together.") var prompts = 10
    @Option(help: "Beams for the beam-search runs.") var numBeams = 5
    @Option(help: "Decoding steps.") var newTokens = 32
    @Option(help: "Vocabulary size.") var vocabulary = 50257
    @OptionGroup var timing: BenchRunOptions
    @Flag(help: "Also decode with a random GPT-2 small forward (prefill included) to compare with the model's cost.")
    var withModel = false

    func validate() throws {
        guard prompts > 0, numBeams > 1, newTokens > 0, vocabulary > 2 * numBeams else {
            throw ValidationError(
                "need prompts > 0, num-beams > 1, new-tokens > 0, vocabulary > 2 × num-beams")
        }
    }

    func run() throws {
        print(CPUInfo.current().header(json: false))
        var results = try DecodingBenchmark.run(
            vocabularySize: vocabulary, prompts: prompts, numBeams: numBeams, newTokens: newTokens,
            repeats: timing.repeats)
        if withModel {
            results += try DecodingBenchmark.runWithModel(
                config: .small, prompts: prompts, numBeams: numBeams, newTokens: newTokens, repeats: timing.repeats)
        }
        print(DecodingBenchmark.table(results))
    }
}
