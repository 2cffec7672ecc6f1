import Datasets
import Decoding
import Foundation
import LNTune
import TestSupport
import Testing

/// `lntune generate` through its library types on a tiny GPT-2 with the tiny BPE vocabulary: dataset mode writes
/// one record per unique source in file order whose tokens are what decoding the prompt alone gives, prompt mode
/// returns/streams the decoder's tokens, and bad input fails with the documented errors.
struct GeneratePipelineTests {
    static func generator(adapter: String? = nil) throws -> Generator {
        try Generator(
            ModelRequest(
                model: Fixtures.url("generate-prefix/tiny-bpe-gpt2").path, tokenizer: Fixtures.url("tiny-bpe").path,
                adapter: adapter))
    }

    static func parameters(_ generator: Generator, mode: DecodingChoice.Mode, maxNewTokens: Int = 7) throws
        -> GenerateParameters
    {
        var choice = DecodingChoice()
        choice.mode = mode
        choice.numBeams = mode == .beam ? 3 : nil
        choice.maxNewTokens = maxNewTokens
        return try generator.parameters(choice)
    }

    /// E2E rows: 5 distinct MRs of different lengths, some with several references, one repeated far apart.
    static let csv = """
        "mr","ref"
        "name[Juniper], area[riverside]","Juniper is by the river."
        "name[Brass Lantern], eatType[coffee shop], familyFriendly[yes], near[The Sorrento]","Brass Lantern is a coffee shop."
        "name[Juniper], area[riverside]","By the river you find Juniper."
        "name[Aromi]","Aromi."
        "name[The Eagle], food[French], priceRange[high], area[city centre], near[Burger King]","The Eagle serves French food."
        "name[Aromi]","There is Aromi."
        "name[Cotto], eatType[pub]","Cotto is a pub."
        "name[Juniper], area[riverside]","Juniper, riverside."

        """

    @Test(arguments: [DecodingChoice.Mode.greedy, .beam])
    func datasetModeWritesOneRecordPerSourceInOrder(mode: DecodingChoice.Mode) throws {
        let folder = try TemporaryFolder()
        let input = folder.url.appendingPathComponent("dev.csv")
        try Data(Self.csv.utf8).write(to: input)
        let (out, text) = (
            folder.url.appendingPathComponent("p.jsonl").path, folder.url.appendingPathComponent("p.txt").path
        )
        let generator = try Self.generator()
        let parameters = try Self.parameters(generator, mode: mode)
        let request = DatasetRunRequest(task: .e2e, input: input.path, batchSize: 2, out: out, text: text)
        var lines: [String] = []
        let progress = GenerationProgress(total: 0, terminal: false) { lines.append($0) }
        let records = try request.run(generator: generator, parameters: parameters, progress: progress)

        #expect(records.map(\.source).count == 5)
        #expect(records.map(\.references.count) == [3, 1, 2, 1, 1])
        #expect(records[0].source == "name : Juniper | area : riverside")
        #expect(lines.last?.contains("tokens/s") == true)
        // Each record is what decoding its prompt alone (no batch, no length sort) gives.
        let template = try DatasetTask.e2e.bundledTemplate()
        let encoder = try SequenceEncoder(
            template: template, encoder: generator.tokenizer, maxLength: 128, overflow: .reject)
        for record in records {
            let example = Example(id: record.id, source: record.source, references: record.references)
            let prompt = try encoder.encodePrompt(example).tokens.map(Int.init)
            #expect(prompt.last == generator.endOfText)
            let alone = try generator.generate([prompt], parameters: parameters)[0][0]
            #expect(record.tokenIDs == alone.tokens)
            #expect(record.prediction == PredictionText.prediction(try generator.tokenizer.decode(alone.tokens)))
        }
        let decoded = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(PredictionRecord.self, from: Data($0.utf8))
        }
        #expect(decoded == records)
        #expect(
            try String(contentsOfFile: text, encoding: .utf8)
                == records.map { PredictionText.line($0.prediction) + "\n" }.joined())

        // A second run refuses to replace the files unless told to.
        #expect(throws: LNTuneError.generation(.outputExists(path: out))) {
            try request.run(generator: generator, parameters: parameters)
        }
        var again = request
        again.overwrite = true
        #expect(try again.run(generator: generator, parameters: parameters) == records)
    }

    /// Length batches: longest first, stable, every index once, at most `size` per batch.
    @Test func lengthBatches() {
        #expect(DatasetGeneration.lengthBatches([3, 9, 3, 5, 9, 1], size: 4) == [[1, 4, 3, 0], [2, 5]])
        #expect(DatasetGeneration.lengthBatches([], size: 2).isEmpty)
    }

    /// Prompt mode: `--json` records carry the decoder's new tokens and their text; streaming yields the same tokens.
    @Test func promptMode() throws {
        let generator = try Self.generator()
        let parameters = try Self.parameters(generator, mode: .greedy, maxNewTokens: 9)
        let text = "name : Aromi <|endoftext|>"
        let ids = try generator.encodePrompt(text, maxNewTokens: 9)
        #expect(ids.last == generator.endOfText)
        let reference = try generator.generate([ids], parameters: parameters)[0][0]
        let outputs = try generator.continuations(of: text, parameters: parameters)
        #expect(
            outputs == [
                PromptOutput(
                    text: try generator.tokenizer.decode(reference.tokens), tokenIDs: reference.tokens,
                    score: reference.score)
            ])
        var stream = try generator.stream(ids, parameters: parameters)
        var streamed: [Int] = []
        while let token = try stream.nextToken() { streamed.append(token) }
        #expect(streamed == reference.tokens)
        let line = try outputs[0].jsonLine()
        #expect(line.hasPrefix("{\"score\":") && line.contains("\"token_ids\":["))

        var beams = DecodingChoice()
        beams.mode = .beam
        beams.numReturnSequences = 2
        beams.maxNewTokens = 5
        #expect(try generator.continuations(of: text, parameters: try generator.parameters(beams)).count == 2)
    }

    /// Bad input fails with a typed error naming the problem.
    @Test func errors() throws {
        let generator = try Self.generator()
        #expect(throws: LNTuneError.generation(.emptyPrompt(source: "--prompt"))) {
            try generator.encodePrompt("", maxNewTokens: 5)
        }
        let long = String(repeating: "riverside ", count: 200)
        #expect {
            try generator.encodePrompt(long, maxNewTokens: 20)
        } throws: { error in
            guard case .generation(.promptTooLong(_, let tokens, let available, 20))? = error as? LNTuneError else {
                return false
            }
            return tokens > available && available == 128 - 20
        }
        var unknown = DecodingChoice()
        unknown.preset = "nope"
        #expect(throws: GenerationError.self) { try generator.parameters(unknown) }
        let (tinyGPT2, tinyBPE) = (Fixtures.url("tiny-gpt2").path, Fixtures.url("tiny-bpe").path)
        #expect(
            throws: LNTuneError.loading(
                .vocabularyMismatch(tokenizer: tinyBPE, tokenizerSize: 674, model: tinyGPT2, modelSize: 307))
        ) {
            try Generator(ModelRequest(model: tinyGPT2, tokenizer: tinyBPE))
        }
        #expect(throws: LNTuneError.self) {
            try DatasetGeneration(
                generator: generator, parameters: try Self.parameters(generator, mode: .greedy), batchSize: 0)
        }
    }

    /// Options given after a preset override only their own setting; `--decode beam` adds beams to a greedy preset.
    @Test func decodingChoice() throws {
        var choice = DecodingChoice()
        choice.preset = "lilang-table2text"
        choice.numBeams = 3
        choice.badWords = ["x y"]
        let p = try choice.parameters(endOfText: 9) { $0.unicodeScalars.map { Int($0.value) } }
        #expect(p.numBeams == 3 && p.minLength == 5 && p.maxNewTokens == 100 && p.eosTokenId == 9)
        #expect(p.badWordsIds == [[628], [198], [120, 32, 121]])
        var beam = DecodingChoice()
        beam.mode = .beam
        #expect(try beam.parameters(endOfText: 0) { _ in [] }.numBeams == DecodingChoice.defaultBeams)
        #expect(try DecodingChoice.earlyStopping("never") == .never)
    }

    /// Li & Liang's post-processing: cut at <|endoftext|>, transformers' clean-up rules, strip.
    @Test(arguments: [
        (" The Eagle is a pub , it is cheap . <|endoftext|> more", "The Eagle is a pub, it is cheap."),
        ("  It isn't good ! Is it ?  ", "It isn't good! Is it?"),
        (" they 're here and we 've won , I 'm sure it 's fine\n", "they're here and we've won, I'm sure it's fine"),
        ("\n\n", ""),
    ])
    func predictionText(raw: String, expected: String) {
        #expect(PredictionText.prediction(raw) == expected)
        #expect(PredictionText.line("a\nb\r\nc") == "a b c")
    }
}
