import Decoding
import Foundation
import Testing

/// Presets carry the published settings and round-trip through transformers-style JSON.
@Suite struct PresetTests {
    /// Li & Liang table-to-text: beam 5, min_length 5, 100 new tokens, "\n" and "\n\n" banned, stop at
    /// <|endoftext|>; summarization: beam 6, length penalty 0.8.
    @Test func liLangSettings() throws {
        let table = try GenerationPreset.named("lilang-table2text").parameters
        #expect(table.numBeams == 5 && table.minLength == 5 && table.maxNewTokens == 100)
        #expect(table.badWordsIds == [[628], [198]])
        #expect(table.eosTokenId == 50256 && table.earlyStopping == .heuristic && table.lengthPenalty == 1)
        let summary = try GenerationPreset.named("lilang-summarization").parameters
        #expect(summary.numBeams == 6 && summary.lengthPenalty == 0.8)
        for preset in GenerationPreset.all { try preset.parameters.validate(vocabularySize: 50257) }
    }

    /// Names are unique, listed in the help text, and an unknown name lists the known ones.
    @Test func namesAndHelp() {
        let names = GenerationPreset.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { GenerationPreset.helpText.contains($0) })
        #expect(throws: GenerationError.unknownPreset(name: "beam-99", available: names)) {
            try GenerationPreset.named("beam-99")
        }
    }

    /// Encoding writes transformers' keys; decoding restores every field, and missing keys take defaults.
    @Test func jsonRoundTrip() throws {
        var p = try GenerationPreset.named("lilang-table2text").parameters
        p.earlyStopping = .never
        p.doSample = false
        p.seed = 77
        let data = try JSONEncoder().encode(p)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"num_beams\":5") && text.contains("\"early_stopping\":\"never\""))
        #expect(try JSONDecoder().decode(GenerateParameters.self, from: data) == p)
        #expect(try JSONDecoder().decode(GenerateParameters.self, from: Data("{}".utf8)) == GenerateParameters())
    }
}
