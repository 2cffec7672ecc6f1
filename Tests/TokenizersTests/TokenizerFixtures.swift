import Foundation
import TestSupport
import Testing
import Tokenizers

/// The committed expectations written by eval/reference/make_tokenizer_fixtures.py.
struct AdversarialStrings: Decodable {
    var names: [String]
    var strings: [String]

    private static let table = FixtureTable<AdversarialStrings>("tokenizer/strings.json")

    /// All 357 strings the script writes (a missing, unreadable or truncated file fails the test that asks).
    static func load() throws -> AdversarialStrings {
        _ = try table.cases(count: 357) { $0.strings }
        return try table.value()
    }
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

/// The tokenizers under test, each loaded once. A load error is kept and thrown by the accessor in the test
/// that asks, naming the file (a tokenizer that failed to load must fail tests, not leave them with nothing
/// to check).
enum TestTokenizers {
    static let tinyFolder = Fixtures.url("tiny-bpe")
    private static let tinyLoaded = Result { try GPT2Tokenizer(directory: tinyFolder) }
    static func tiny() throws -> GPT2Tokenizer { try tinyLoaded.get() }

    static let tinyExpected = FixtureTable<ExpectedIDs>("tokenizer/tiny-expected.json")
    static let gpt2Expected = FixtureTable<ExpectedIDs>("tokenizer/gpt2-expected.json")

    /// The real GPT-2 files, or nil when ../shared is absent.
    static var gpt2Folder: URL? { Fixtures.sharedFile("gpt2") }
    /// For tests behind `needsGPT2`, which skips them when ../shared is absent; a file missing or broken
    /// inside a present ../shared is an error, not a skip.
    private static let gpt2Loaded = gpt2Folder.map { folder in Result { try GPT2Tokenizer(directory: folder) } }
    private static let gpt2TiktokenLoaded = gpt2Folder.map { folder in
        Result { try GPT2Tokenizer(tiktokenURL: folder.appendingPathComponent("gpt2.tiktoken")) }
    }
    static func gpt2() throws -> GPT2Tokenizer { try #require(gpt2Loaded, "../shared is absent").get() }
    static func gpt2Tiktoken() throws -> GPT2Tokenizer {
        try #require(gpt2TiktokenLoaded, "../shared is absent").get()
    }
    static let needsGPT2 = Fixtures.needsShared("gpt2", for: "the real GPT-2 vocabulary")
}

/// A short, printable description of a string for failure messages.
func show(_ text: String) -> String {
    let escaped = text.unicodeScalars.prefix(60).map { $0.escaped(asASCII: true) }.joined()
    return text.unicodeScalars.count > 60 ? escaped + "…" : escaped
}
