import Foundation
import TestSupport
import Testing
import Tokenizers

/// `Tests/Fixtures/tokenizer/partial-bytes/expected.json`, written by eval/reference/make_partial_byte_fixtures.py.
private struct PartialByteCases: Decodable, Sendable {
    struct Case: Decodable, Sendable {
        let text: String
        let ids: [Int]
    }
    let cases: [Case]

    static let table = FixtureTable<PartialByteCases>("tokenizer/partial-bytes/expected.json")
}

/// A byte-level vocabulary without the tokens of some bytes (0x00, 'z', '\n') loads as Hugging Face loads it,
/// and every text encodes to HF `tokenizers`' ids: a byte without a token is dropped and its neighbours may
/// merge, rather than the load failing.
@Test(arguments: try PartialByteCases.table.cases(count: 13) { $0.cases })
private func vocabularyWithoutSomeByteTokensEncodesAsHuggingFace(_ testCase: PartialByteCases.Case) throws {
    let tokenizer = try GPT2Tokenizer.load(Fixtures.url("tokenizer/partial-bytes"))
    #expect(try tokenizer.encode(testCase.text) == testCase.ids, "\(testCase.text.debugDescription)")
}
