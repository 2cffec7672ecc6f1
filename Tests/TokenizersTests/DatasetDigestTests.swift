import Foundation
import Testing
import TestSupport
import Tokenizers

/// Digests of the reference GPT-2 ids of every text field of every dataset file (make_tokenizer_fixtures.py).
struct DatasetDigests: Decodable {
    struct Field: Decodable {
        var field: String
        var texts: Int
        var tokens: Int
        var bytes: Int
        var digest: String
        var chunks: [String]
    }
    struct File: Decodable {
        var path: String
        var fields: [Field]
    }
    var chunkSize: Int
    var files: [File]
}

/// FNV-1a over 64-bit words, as in the script: id + 1 per token, 0 after each text. Each step is a
/// bijection of the state, so any single changed id changes the digest.
struct IDDigest {
    private(set) var state: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ ids: [Int]) {
        for id in ids { state = (state ^ UInt64(id + 1)) &* 0x100_0000_01B3 }
        state = state &* 0x100_0000_01B3
    }

    var hex: String {
        let digits = String(state, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// In debug builds only the dev/test/validation files are encoded (about 15 MB of text, within ~30 s on
/// the 2-core machine); release builds (`swift test -c release`) or LNTUNE_FULL_DATASETS=1 cover every
/// file, training sets and the duplicate DART 2020 copy included (42.6 MB, 485,256 texts).
private var fullCoverage: Bool {
    #if DEBUG
        ProcessInfo.processInfo.environment["LNTUNE_FULL_DATASETS"] == "1"
    #else
        true
    #endif
}

private func inDebugSubset(_ path: String) -> Bool { !path.contains("train") && !path.contains("2020-07") }

/// Every text field of every dataset file under ../shared/datasets (see `fullCoverage`) encodes to
/// exactly the ids HF tokenizers (= tiktoken) gives: same number of texts and tokens, same digest of the
/// ids, per file and field. On a mismatch the first differing chunk of 1,000 texts is named.
@Test(TestTokenizers.needsGPT2)
func datasetTextsMatchReferenceDigests() throws {
    let tokenizer = try TestTokenizers.gpt2()
    let root = try #require(Fixtures.sharedFile("datasets"))
    let digests = try Fixtures.json(DatasetDigests.self, "tokenizer/dataset-digests.json")
    #expect(digests.files.count == 126, "tokenizer/dataset-digests.json lists \(digests.files.count) files")
    let onDisk = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        .compactMap { $0 as? URL }
        .filter { DatasetTexts.suffixes.contains($0.pathExtension) }
        .map { String($0.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)) }
    #expect(Set(onDisk) == Set(digests.files.map(\.path)), "dataset files differ from the digest list")
    let started = Date()
    var (files, texts, bytes) = (0, 0, 0)
    for file in digests.files where fullCoverage || inDebugSubset(file.path) {
        let fields = try DatasetTexts.fields(of: root.appendingPathComponent(file.path))
        #expect(Set(fields.keys) == Set(file.fields.map(\.field)), "\(file.path): fields")
        for expected in file.fields {
            let values = fields[expected.field] ?? []
            let label = "\(file.path) [\(expected.field)]"
            #expect(values.count == expected.texts, "\(label): text count")
            let encoded = try tokenizer.encodeBatch(values, special: .allow)
            #expect(encoded.reduce(0) { $0 + $1.count } == expected.tokens, "\(label): token count")
            var whole = IDDigest()
            var chunk = IDDigest()
            for (index, ids) in encoded.enumerated() {
                whole.add(ids)
                chunk.add(ids)
                if index % digests.chunkSize == digests.chunkSize - 1 || index == encoded.count - 1 {
                    let number = index / digests.chunkSize
                    if number < expected.chunks.count, chunk.hex != expected.chunks[number] {
                        Issue.record("\(label): texts from \(number * digests.chunkSize) differ from the reference")
                    }
                    chunk = IDDigest()
                }
            }
            #expect(whole.hex == expected.digest, "\(label): digest")
            texts += values.count
            bytes += expected.bytes
        }
        files += 1
    }
    let seconds = Int(Date().timeIntervalSince(started))
    print(
        "dataset digests (\(fullCoverage ? "all files" : "dev/test files; LNTUNE_FULL_DATASETS=1 for all")):"
            + " \(files) files, \(texts) texts, \(bytes) bytes checked in \(seconds) s")
}
