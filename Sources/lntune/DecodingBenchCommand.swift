import ArgumentParser
import Decoding
import LNTune

/// `lntune bench decoding`: the cost of decoding bookkeeping with a free model (see `DecodingBenchmark`).
struct DecodingBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decoding",
        abstract: "Time greedy/beam-search bookkeeping per step over a zero-cost model (GPT-2 vocabulary size).")

    @Option(help: "Prompts decoded together.") var prompts = 10
    @Option(help: "Beams for the beam-search runs.") var beams = 5
    @Option(help: "Decoding steps.") var newTokens = 32
    @Option(help: "Vocabulary size.") var vocabulary = 50257
    @Option(help: "Repeats (the best is reported).") var repeats = 3
    @Flag(help: "Also decode with a random GPT-2 small forward (prefill included) to compare with the model's cost.")
    var withModel = false

    func validate() throws {
        guard prompts > 0, beams > 1, newTokens > 0, vocabulary > 2 * beams, repeats > 0 else {
            throw ValidationError("need prompts > 0, beams > 1, new-tokens > 0, vocabulary > 2 × beams, repeats > 0")
        }
    }

    func run() throws {
        var results = try DecodingBenchmark.run(
            vocabularySize: vocabulary, prompts: prompts, beams: beams, newTokens: newTokens, repeats: repeats)
        if withModel {
            results += try DecodingBenchmark.runWithModel(
                config: .small, prompts: prompts, beams: beams, newTokens: newTokens, repeats: repeats)
        }
        print("| mode | rows/step | ms/step | µs/row |")
        print("|---|---:|---:|---:|")
        for r in results {
            let ms = (r.millisecondsPerStep * 100).rounded() / 100
            let us = (r.microsecondsPerRow * 10).rounded() / 10
            print("| \(r.mode) | \(r.rows) | \(ms) | \(us) |")
        }
    }
}
