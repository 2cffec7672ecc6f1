import Foundation
import LNTune
import Testing
import TestSupport

/// Summed line losses from transformers + PEFT (eval/reference/make_adapter_fixtures.py).
private struct PerplexityFixture: Decodable, Sendable {
    let eot: Int32
    let sequences: [[Int32]]
    let results: [String: [String: [Double]]]
}

private let perplexityTable = FixtureTable<PerplexityFixture>("adapters/from-peft/perplexity.json")

/// The committed tiny-gpt2 (307 embeddings, no tokenizer files) with a byte-level tokenizer that fits it
/// (`<|endoftext|>` = 0 and the 256 byte tokens of the tiny BPE) and, when named, a PEFT adapter.
private func tinyModel(adapter: String?) throws -> LoadedModel {
    let folder = try TemporaryFolder()
    return try ModelLoader.load(
        ModelRequest(
            model: Fixtures.url("tiny-gpt2").path, tokenizer: LoaderFixtures.byteVocabulary(in: folder.url).path,
            adapter: adapter.map { Fixtures.url("adapters/from-peft/\($0)").path }))
}

/// Per-line summed losses and token counts equal transformers' for the base model, a PEFT LN adapter and a
/// PEFT prefix adapter, with and without the leading <|endoftext|>; the corpus figure is token-weighted; the
/// batch size does not change any number beyond float rounding.
@Test(arguments: try perplexityTable.cases(count: 3) { $0.results.keys.sorted() })
func perplexityMatchesTransformers(_ name: String) throws {
    let f = try perplexityTable.value()
    let model = try tinyModel(adapter: name == "base" ? nil : name)
    for (mode, eot) in [("prepend", f.eot as Int32?), ("no_prepend", nil)] {
        let want = try #require(f.results[name]?[mode])
        let report = try Perplexity.score(
            f.sequences, source: "fixture", model: model, endOfText: eot, options: .init(batchSize: 3))
        for (i, line) in report.lines.enumerated() {
            #expect(line.line == i + 1)
            #expect(line.tokens == (eot != nil ? f.sequences[i].count : max(f.sequences[i].count - 1, 0)))
            #expect(abs(line.loss - want[i]) <= 1e-5 * max(1, abs(want[i])), "\(name) \(mode) line \(i + 1)")
            #expect((line.perplexity == nil) == (line.tokens == 0))
        }
        let tokens = report.lines.reduce(0) { $0 + $1.tokens }
        #expect(report.tokens == tokens && report.prependedEndOfText == (eot != nil))
        #expect(abs(report.perplexity - exp(want.reduce(0, +) / Double(tokens))) <= 1e-5 * report.perplexity)
        let one = try Perplexity.score(
            f.sequences, source: "fixture", model: model, endOfText: eot, options: .init(batchSize: 1))
        for (a, b) in zip(one.lines, report.lines) { #expect(abs(a.loss - b.loss) <= 1e-5 * max(1, abs(b.loss))) }
    }
}

/// A line longer than the context (counting the leading <|endoftext|> and an adapter's prefix slots) is an
/// error naming the file and line, never truncated.
@Test func tooLongLinesAreNamed() throws {
    let base = try tinyModel(adapter: nil)
    let fits = [Int32](repeating: 5, count: 47)
    _ = try Perplexity.score([fits], source: "in.txt", model: base, endOfText: 306)
    let error = #expect(throws: LNTuneError.self) {
        try Perplexity.score([[1, 2], fits + [5]], source: "in.txt", model: base, endOfText: 306)
    }
    #expect(
        error
            == .lineTooLong(
                file: "in.txt", line: 2, tokens: 49, limit: 48,
                hint: "counting the leading <|endoftext|>; split the line (LNTune never truncates)"))
    let prefixed = try tinyModel(adapter: "prefix")  // 3 slots
    #expect(throws: LNTuneError.self) {
        try Perplexity.score([fits], source: "in.txt", model: prefixed, endOfText: 306)
    }
}

/// Text lines go through the tokenizer (a byte-level vocabulary that fits the tiny model) and score as their ids do;
/// a CRLF input file scores as its LF copy.
@Test func textLinesScoreAsTheirTokens() throws {
    let model = try tinyModel(adapter: "ln")
    let tokenizer = model.tokenizer
    let lines = ["the cafe", "", "x<|endoftext|>y"]
    let report = try Perplexity.evaluate(lines: lines, source: "in.txt", model: model)
    #expect(report.lines.map(\.tokens) == [8, 0, 3])
    let ids = try lines.map { try tokenizer.encode($0).map { Int32($0) } }
    let direct = try Perplexity.score(ids, source: "in.txt", model: model, endOfText: 0)
    #expect(report == direct)
    // A CRLF file, read as `lntune perplexity` reads its input, scores as its LF copy: no "\r" token.
    let crlf = try LineInput.textLines(Array("the cafe\r\n\r\nx<|endoftext|>y\r\n".utf8), source: "in.txt")
    #expect(crlf == lines)
    #expect(try Perplexity.evaluate(lines: crlf, source: "in.txt", model: model) == report)
}
