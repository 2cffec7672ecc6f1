import ArgumentParser
import Decoding
import Foundation
import GPT2
import LNTune

/// `lntune bench generate`: decoding throughput of a real checkpoint (new tokens per second, prefill included),
/// for eval/bench_generate.py, which runs transformers' `generate` on the same model in the same run.
struct BenchGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Greedy (batch 1 and N) and beam-search tokens/s on a model folder, EOS disabled.")

    @Option(help: "Model folder (e.g. /tmp/gpt2-small-random from eval/make_random_gpt2.py).") var model: String
    @Option(help: "Prompt length in tokens.") var promptLength = 16
    @Option(help: "New tokens per sequence.") var newTokens = 32
    @Option(help: "Batch size of the batched greedy run.") var batch = 8
    @Option(help: "Beams of the beam-search run.") var beams = 5
    @Option(help: "Repeats (the best is reported).") var repeats = 3
    @Flag(help: "Print JSON lines instead of a table.") var json = false

    func validate() throws {
        guard promptLength > 0, newTokens > 0, batch > 0, beams > 1, repeats > 0 else {
            throw ValidationError("need positive lengths, batch and repeats, and beams > 1")
        }
    }

    func run() throws {
        let folder = try ModelResolver.resolve(model)
        let (gpt2, _) = try Generator.loadModel(folder: folder, adapter: nil)
        let model = GPT2LanguageModel(model: gpt2)
        let vocabulary = gpt2.config.vocabSize
        // Deterministic prompts of ordinary token ids (no EOS, so every sequence runs to new-tokens).
        func prompts(_ count: Int) -> [[Int]] {
            (0..<count).map { r in (0..<promptLength).map { (r * 7919 + $0 * 104729 + 13) % (vocabulary - 1) } }
        }
        var cases: [(String, Int, GenerateParameters)] = []
        var greedy = GenerateParameters()
        greedy.maxNewTokens = newTokens
        greedy.eosTokenId = nil
        cases.append(("greedy", 1, greedy))
        cases.append(("greedy", batch, greedy))
        var beam = greedy
        beam.numBeams = beams
        cases.append(("beam-\(beams)", 1, beam))
        if !json {
            print("| mode | prompts | new tokens | best s | tokens/s |")
            print("|---|---:|---:|---:|---:|")
        }
        for (name, count, parameters) in cases {
            var best = Double.infinity
            let input = prompts(count)
            for _ in 0..<repeats {
                var m = model
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try Generation.generate(&m, prompts: input, parameters: parameters)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            // Beam search yields num_return_sequences (1) sequence per prompt: count the tokens of those.
            let tokens = count * newTokens
            let rate = Double(tokens) / best
            if json {
                print("{\"mode\":\"\(name)\",\"prompts\":\(count),\"new_tokens\":\(tokens),\"seconds\":\(best),\"tokens_per_s\":\(rate)}")
            } else {
                print(String(format: "| %@ | %d | %d | %.3f | %.1f |", name, count, tokens, best, rate))
            }
        }
    }
}
