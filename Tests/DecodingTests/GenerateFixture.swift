import Decoding
import Foundation
import TestSupport

/// A `Tests/Fixtures/generate/*.json` file written by eval/reference/make_generate_fixtures.py: per decoding case,
/// transformers' `generate` outputs for each prompt alone and for left-padded batches.
struct GenerateFixture: Decodable {
    struct Batch: Decodable {
        let prompts: [[Int]]
        let outputs: [[GeneratedSequence]]
    }

    struct Case: Decodable {
        let name: String
        let parameters: GenerateParameters
        let single: [Batch]
        let batched: [Batch]
    }

    let model: String
    let vocabSize: Int
    let eosTokenId: Int
    let maxPositions: Int
    let cases: [Case]

    enum CodingKeys: String, CodingKey {
        case model, cases
        case vocabSize = "vocab_size"
        case eosTokenId = "eos_token_id"
        case maxPositions = "max_positions"
    }

    static func load(_ name: String) throws -> GenerateFixture {
        try Fixtures.json(GenerateFixture.self, "generate/\(name).json")
    }

    /// Case names, for `@Test(arguments: try …)`: a missing or unreadable file, or one with another number of
    /// cases than `count`, throws an error naming it, which fails the test instead of running zero cases.
    static func caseNames(_ name: String, count: Int) throws -> [String] {
        try Fixtures.cases(load(name).cases.map(\.name), count: count, in: "generate/\(name).json")
    }

    func `case`(_ name: String) throws -> Case {
        guard let found = cases.first(where: { $0.name == name }) else {
            throw SyntheticModel.ContractViolation(description: "no case \(name) in \(model) fixture")
        }
        return found
    }
}
