import Foundation

/// GPT-2's byte-level BPE tokenizer, id-for-id identical to HF `tokenizers` (vocab/merges files) and
/// tiktoken (rank files): the byte table, the GPT-2 pre-tokenizer, ranked merges and `<|endoftext|>`.
///
/// Immutable after loading and safe to share between threads; each call borrows a per-thread word cache.
public final class GPT2Tokenizer: Sendable {
    private let model: BPEModel
    private let encoder: Encoder
    private let caches = WordCachePool()

    /// The special tokens recognised in text (when present in the vocabulary).
    static let specialTexts = ["<|endoftext|>"]

    /// Loads `vocab.json` + `merges.txt` (HF / OpenAI `encoder.json` + `vocab.bpe` layout).
    public init(vocabURL: URL, mergesURL: URL) throws(TokenizerError) {
        model = try BPEModel.load(vocabURL: vocabURL, mergesURL: mergesURL, specialTexts: Self.specialTexts)
        encoder = Encoder(model: model, bmpTable: CharacterClass.bmpTable)
    }

    /// Loads `vocab.json` and `merges.txt` from a model folder.
    public convenience init(directory: URL) throws(TokenizerError) {
        let vocab = directory.appendingPathComponent("vocab.json")
        let merges = directory.appendingPathComponent("merges.txt")
        for file in [vocab, merges] where !FileManager.default.fileExists(atPath: file.path) {
            throw .unreadableFile(
                path: file.path, reason: "no such file (hint: a tokenizer folder holds vocab.json and merges.txt)")
        }
        try self.init(vocabURL: vocab, mergesURL: merges)
    }

    /// Loads a tiktoken rank file (`gpt2.tiktoken`); `<|endoftext|>` gets the id after the last rank.
    public init(tiktokenURL: URL) throws(TokenizerError) {
        model = try BPEModel.load(tiktokenURL: tiktokenURL, specialTexts: Self.specialTexts)
        encoder = Encoder(model: model, bmpTable: CharacterClass.bmpTable)
    }

    /// One past the largest token id (50,257 for GPT-2).
    public var vocabularySize: Int { model.vocabularySize }

    /// The id of `<|endoftext|>`, if the vocabulary has it.
    public var endOfTextID: Int? { model.specials.first { $0.text == "<|endoftext|>" }?.id }

    /// The token ids of `text`.
    public func encode(_ text: String, special: SpecialTokenPolicy = .allow) throws(TokenizerError) -> [Int] {
        var cache = caches.take()
        defer { caches.giveBack(cache) }
        return try encode(text, special: special, index: nil, cache: &cache)
    }

    func takeCache() -> WordCache { caches.take() }
    func giveBackCache(_ cache: WordCache) { caches.giveBack(cache) }

    /// Encodes one text with a cache the caller owns; `index` names the text in a batch for errors.
    func encode(_ text: String, special: SpecialTokenPolicy, index: Int?, cache: inout WordCache)
        throws(TokenizerError) -> [Int]
    {
        var text = text
        var out: [Int] = []
        let result: Result<Void, TokenizerError> = text.withUTF8 { bytes in
            out.reserveCapacity(bytes.count / 3 + 1)
            return Result { () throws(TokenizerError) in
                try encoder.encode(bytes, special: special, text: index, cache: &cache, into: &out)
            }
        }
        try result.get()
        return out
    }

    /// The text of `ids`; bytes that do not form UTF-8 become U+FFFD (one per maximal invalid
    /// subsequence, like Python's `errors="replace"` and Rust's `from_utf8_lossy`).
    public func decode(_ ids: [Int]) throws(TokenizerError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        try appendBytes(of: ids, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the raw bytes of `ids`; `firstPosition` is the position of `ids[0]` for error messages.
    func appendBytes(of ids: [Int], firstPosition: Int = 0, to bytes: inout [UInt8]) throws(TokenizerError) {
        for (offset, id) in ids.enumerated() {
            guard model.isDefined(id) else { throw .unknownID(id, position: firstPosition + offset) }
            model.appendBytes(of: id, to: &bytes)
        }
    }

    /// The vocabulary string of an id as the files write it (`Ġthe` for " the"), or nil.
    public func token(for id: Int) -> String? { model.tokenString(id) }

    /// The id of a vocabulary string (`Ġthe`), or nil.
    public func id(for token: String) -> Int? { model.id(forTokenString: token) }
}
