import Foundation
import LNTune
import TestSupport
import Testing

/// Every pipeline takes its tokenizer from `ModelLoader`: a `.tiktoken` file works wherever a tokenizer folder
/// does, and a tokenizer with ids beyond the model's embeddings, or without `<|endoftext|>`, is refused the
/// same way by train, generate and perplexity.
struct LoaderTokenizerTests {
    let folder: TemporaryFolder
    let fixture: TrainingFixture
    let tiktoken: URL

    init() throws {
        folder = try TemporaryFolder()
        fixture = try TrainingFixture(.short(train: 8, dev: 4))
        tiktoken = try LoaderFixtures.byteTiktoken(in: folder.url)
    }

    /// The byte-level `.tiktoken` (257 ids, `<|endoftext|>` = 256) trains, generates and scores on a model with
    /// 674 embeddings; the model's `eos_token_id` 0 differs from it, which is a warning, not an error.
    @Test func tiktokenWorksForTrainGenerateAndPerplexity() throws {
        var settings = fixture.settings(out: "tiktoken", maxSteps: 1)
        settings.tokenizer = tiktoken.path
        let trainer = try Trainer(settings: settings)
        let warning = LoadWarning.endOfTextDiffers(
            tokenizer: tiktoken.path, tokenizerID: 256, model: fixture.model.path, configID: 0)
        #expect(trainer.warnings == [warning] && trainer.tokenizerFolder.path == tiktoken.path)
        #expect(try trainer.run().completedSteps == 1)

        let request = ModelRequest(model: fixture.model.path, tokenizer: tiktoken.path)
        let generator = try Generator(request)
        #expect(generator.endOfText == 256)
        var choice = DecodingChoice()
        choice.maxNewTokens = 3
        let outputs = try generator.continuations(of: "Alder |", parameters: generator.parameters(choice))
        #expect(outputs.count == 1 && outputs[0].tokenIDs.count <= 3)

        let loaded = try ModelLoader.load(request)
        let report = try Perplexity.evaluate(lines: ["héllo"], source: "in.txt", model: loaded)
        #expect(report.lines.map(\.tokens) == [6])  // 6 UTF-8 bytes, each scored after <|endoftext|>
    }

    /// The tiny BPE (674 ids) on the committed tiny-gpt2 (307 embeddings), and a vocabulary without
    /// `<|endoftext|>`, are refused with the same error by each pipeline's entry point.
    @Test func mismatchedTokenizersAreRefusedByEveryPipeline() throws {
        let tinyGPT2 = Fixtures.url("tiny-gpt2").path
        let tinyBPE = Fixtures.url("tiny-bpe").path
        let noEndOfText = try LoaderFixtures.byteVocabulary(in: folder.url, endOfText: false).path
        let cases: [(model: String, tokenizer: String, error: LNTuneError)] = [
            (
                tinyGPT2, tinyBPE,
                .loading(.vocabularyMismatch(tokenizer: tinyBPE, tokenizerSize: 674, model: tinyGPT2, modelSize: 307))
            ),
            (fixture.model.path, noEndOfText, .loading(.noEndOfText(tokenizer: noEndOfText))),
        ]
        for (model, tokenizer, expected) in cases {
            var settings = fixture.settings(out: "refused")
            (settings.model, settings.tokenizer) = (model, tokenizer)
            #expect(throws: expected) { try Trainer(settings: settings) }
            let request = ModelRequest(model: model, tokenizer: tokenizer)
            #expect(throws: expected) { try Generator(request) }
            #expect(throws: expected) { try ModelLoader.load(request) }  // what `lntune perplexity` calls
        }
    }
}
