import Foundation
import TestSupport
import Testing
import Tokenizers

/// The committed expectations written by eval/reference/make_tokenizer_fixtures.py.
struct AdversarialStrings: Decodable {
    var names: [String]
    var strings: [String]

    static let shared: AdversarialStrings? = try? Fixtures.json(AdversarialStrings.self, "tokenizer/strings.json")
}

/// Expected ids for the adversarial strings under one vocabulary.
struct ExpectedIDs: Decodable {
    struct Location: Decodable {
        var line: Int
        var byteOffset: Int
    }
    struct DecodeCase: Decodable {
        var ids: [Int]
        var text: String
    }
    /// `.allow` ids for every string.
    var allow: [[Int]]
    /// `.text` ids, keyed by string index, only where they differ from `allow`.
    var text: [String: [Int]]
    /// Where `.reject` must fail, keyed by string index; other strings encode as under `allow`.
    var reject: [String: Location]
    var decode: [DecodeCase]
    var vocabularySize: Int
    var endOfTextID: Int

    func ids(_ index: Int, _ policy: SpecialTokenPolicy) -> [Int]? {
        switch policy {
        case .allow: allow[index]
        case .text: text[String(index)] ?? allow[index]
        case .reject: reject[String(index)] == nil ? allow[index] : nil
        }
    }
}

enum TestTokenizers {
    static let tinyFolder = Fixtures.url("tiny-bpe")
    static let tiny: GPT2Tokenizer? = try? GPT2Tokenizer(directory: tinyFolder)
    static let tinyExpected: ExpectedIDs? = try? Fixtures.json(ExpectedIDs.self, "tokenizer/tiny-expected.json")
    static let gpt2Expected: ExpectedIDs? = try? Fixtures.json(ExpectedIDs.self, "tokenizer/gpt2-expected.json")

    /// The real GPT-2 files, or nil when ../shared is absent.
    static var gpt2Folder: URL? { Fixtures.sharedFile("gpt2") }
    static let gpt2: GPT2Tokenizer? = gpt2Folder.flatMap { try? GPT2Tokenizer(directory: $0) }
    static let gpt2Tiktoken: GPT2Tokenizer? = gpt2Folder.flatMap {
        try? GPT2Tokenizer(tiktokenURL: $0.appendingPathComponent("gpt2.tiktoken"))
    }
    static let needsGPT2 = Fixtures.needsShared("gpt2", for: "the real GPT-2 vocabulary")
}

/// A short, printable description of a string for failure messages.
func show(_ text: String) -> String {
    let escaped = text.unicodeScalars.prefix(60).map { $0.escaped(asASCII: true) }.joined()
    return text.unicodeScalars.count > 60 ? escaped + "…" : escaped
}
