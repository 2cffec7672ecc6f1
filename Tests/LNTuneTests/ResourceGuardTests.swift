import Decoding
import Foundation
import GPT2
import LNTune
import TestSupport
import Testing

/// Runs that cannot give a meaningful answer stop with an error instead: a request larger than the memory left
/// is refused before anything is allocated, a model with broken (NaN) weights fails perplexity and decoding
/// instead of printing "nan" or text made of garbage, and an input with nothing to score is an error, not
/// "perplexity 1.0000".
struct ResourceGuardTests {
    static func model(poisoned: Bool = false) throws -> LoadedModel {
        let loaded = try ModelLoader.load(
            ModelRequest(
                model: Fixtures.url("generate-prefix/tiny-bpe-gpt2").path, tokenizer: Fixtures.url("tiny-bpe").path))
        if poisoned { loaded.model.parameters.buffer.update(repeating: .nan) }
        return loaded
    }

    @Test func theMemoryEstimateRefusesWhatDoesNotFit() throws {
        let budget = MemoryEstimate([("key/value cache", 3_000_000_000), ("logits", 2_000_000)])
        #expect(budget.total == 3_002_000_000)
        try budget.check("decoding", hint: "lower --batch-size", available: 4_000_000_000)
        #expect {
            try budget.check("decoding", hint: "lower --batch-size", available: 1_000_000_000)
        } throws: { error in
            let text = "\(error)"
            return text.contains("3.0 GB") && text.contains("1.0 GB") && text.contains("lower --batch-size")
        }
        // Absurd sizes saturate instead of overflowing.
        #expect(MemoryEstimate.floats(Int.max / 2, 3) == Int.max)
        #expect(MemoryEstimate([("a", Int.max), ("b", 1)]).total == Int.max)

        let generator = Generator(try Self.model())
        var choice = DecodingChoice()
        (choice.mode, choice.numBeams) = (.beam, 600)
        let parameters = try generator.parameters(choice)
        #expect(throws: LNTuneError.self) {
            try generator.checkMemory(prompts: [[1, 2, 3]], batchSize: 8, parameters: parameters, available: 1_000_000)
        }
        try generator.checkMemory(prompts: [[1, 2, 3]], batchSize: 8, parameters: parameters, available: 1 << 40)
    }

    @Test func brokenWeightsAreErrorsNotNumbersOrText() throws {
        let loaded = try Self.model(poisoned: true)
        #expect(throws: LNTuneError.nonFiniteLoss(file: "lines", line: 1)) {
            try Perplexity.evaluate(lines: ["name : Aromi"], source: "lines", model: loaded)
        }
        let generator = Generator(loaded)
        let parameters = try generator.parameters(DecodingChoice())
        #expect {
            try generator.continuations(of: "name : Aromi", parameters: parameters)
        } throws: { error in
            guard case .nonFiniteLogits? = error as? GenerationError else { return false }
            return true
        }
    }

    /// Perplexity reports its progress batch by batch, ending at the lines it scores (blank lines skip the model).
    @Test func perplexityReportsProgress() throws {
        var seen: [[Int]] = []
        let lines = ["name : Aromi", "", "name : Cotto", "area : riverside", "x"]
        _ = try Perplexity.evaluate(
            lines: lines, source: "in", model: try Self.model(), options: .init(batchSize: 2),
            progress: { seen.append([$0, $1]) })
        #expect(seen == [[2, 4], [4, 4]])
    }

    @Test(arguments: [[String](), [""], ["", ""]])
    func nothingToScoreIsAnError(lines: [String]) throws {
        #expect {
            try Perplexity.evaluate(lines: lines, source: "in.txt", model: try Self.model())
        } throws: { error in
            guard case .nothingToScore("in.txt", _)? = error as? LNTuneError else { return false }
            return true
        }
    }
}
