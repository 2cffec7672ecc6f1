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

    /// Case names, for `@Test(arguments:)` (empty when the file is unreadable; the load test then fails).
    static func caseNames(_ name: String) -> [String] {
        (try? load(name).cases.map(\.name)) ?? []
    }

    func `case`(_ name: String) throws -> Case {
        guard let found = cases.first(where: { $0.name == name }) else {
            throw SyntheticModel.ContractViolation(description: "no case \(name) in \(model) fixture")
        }
        return found
    }
}
