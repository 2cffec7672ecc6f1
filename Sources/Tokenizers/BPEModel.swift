/// The loaded tables of a byte-level BPE tokenizer, independent of the file format they came from.
///
/// Tokens are raw bytes here; the byte-level strings of the files (`Ġthe`) exist only at the edges
/// (`token(for:)`, `id(for:)`). Added tokens whose strings are not made of byte-alphabet characters
/// can be decoded but never come out of BPE.
struct BPEModel: Sendable {
    /// One past the largest id.
    let vocabularySize: Int
    /// Token bytes of id `i` are `tokenArena[tokenStart[i]..<tokenStart[i + 1]]`.
    private let tokenArena: [UInt8]
    private let tokenStart: [Int]
    /// Ids with no token (gaps in the vocabulary) are false.
    private let defined: [Bool]
    /// Strings of added tokens that are not byte-level strings, by id, and the reverse.
    private let addedStrings: [Int: String]
    private let addedIDs: [String: Int]
    /// Raw bytes → id of every byte-level token.
    private let tokensByBytes: ByteKeyTable
    /// Raw bytes → id of the tokens that a whole pre-token piece maps to directly: those BPE would
    /// produce from their own bytes (tiktoken checks this table first, and so do we).
    let wholeTokens: ByteKeyTable
    let merger: BytePairMerger
    /// Special tokens, matched in text before pre-tokenization when the policy allows them.
    let specials: [SpecialToken]

    struct SpecialToken: Sendable {
        var text: String
        var bytes: [UInt8]
        var id: Int
    }

    /// A token while loading: raw bytes if it is a byte-level string, else the added-token string.
    enum Token {
        case bytes([UInt8])
        case added(String)
    }

    /// Builds the tables.
    /// - `tokens`: (id, token, line in `source`) with unique ids (the loaders check this); a repeated
    ///   token is reported here, for every file format alike.
    /// - `merges`: fills the pair table from the byte-level tokens (ids given by `tokensByBytes`).
    /// - `wholeTokenRule`: `.all` for tiktoken files; `.reproducedByMerges` for merge lists, where a
    ///   token may exist that BPE never builds from its own bytes (HF's BPE then gives the merged pieces).
    init(
        tokens: [(id: Int, token: Token, line: Int)], specialTexts: [String], source: String,
        wholeTokenRule: WholeTokenRule,
        merges: (_ tokensByBytes: ByteKeyTable) throws(TokenizerError) -> PairRankTable
    ) throws(TokenizerError) {
        let size = (tokens.map(\.id).max() ?? -1) + 1
        var byteTokens = [[UInt8]?](repeating: nil, count: size)
        var added: [Int: String] = [:]
        var table = ByteKeyTable(minimumCapacity: tokens.count)
        for (id, token, line) in tokens {
            switch token {
            case .bytes(let bytes):
                byteTokens[id] = bytes
                if let earlier = table.insert(bytes, value: UInt32(id)) {
                    throw .malformedFile(path: source, line: line, reason: "token repeats the one with id \(earlier)")
                }
            case .added(let text):
                added[id] = text
            }
        }
        var arena: [UInt8] = []
        var starts = [Int]()
        starts.reserveCapacity(size + 1)
        for id in 0..<size {
            starts.append(arena.count)
            if let bytes = byteTokens[id] {
                arena.append(contentsOf: bytes)
            } else if let text = added[id] {
                arena.append(contentsOf: text.utf8)
            }
        }
        starts.append(arena.count)
        // A byte without a token is dropped when encoding, as Hugging Face does (see BytePairMerger).
        let byteIDs = (0..<256).map { table.value(for: [UInt8($0)]) ?? BytePairMerger.missing }
        self.vocabularySize = size
        self.tokenArena = arena
        self.tokenStart = starts
        self.defined = (0..<size).map { byteTokens[$0] != nil || added[$0] != nil }
        self.addedStrings = added
        self.addedIDs = Dictionary(added.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        self.tokensByBytes = table
        let merger = BytePairMerger(byteIDs: byteIDs, pairs: try merges(table))
        let specials: [SpecialToken] = specialTexts.compactMap { text in
            if let id = added.first(where: { $0.value == text })?.key {
                return SpecialToken(text: text, bytes: Array(text.utf8), id: id)
            }
            guard let bytes = ByteLevelAlphabet.bytes(of: text.unicodeScalars), let id = table.value(for: bytes) else {
                return nil
            }
            return SpecialToken(text: text, bytes: bytes, id: Int(id))
        }
        self.merger = merger
        self.specials = specials
        let specialIDs = Set(specials.map(\.id))
        var whole = ByteKeyTable(minimumCapacity: tokens.count)
        var scratch: [UInt32] = []
        for id in 0..<size where !specialIDs.contains(id) {
            guard let bytes = byteTokens[id], !bytes.isEmpty else { continue }
            if wholeTokenRule == .reproducedByMerges {
                scratch.removeAll(keepingCapacity: true)
                bytes.withUnsafeBufferPointer { buffer in
                    if let base = buffer.baseAddress { merger.merge(base, count: buffer.count, into: &scratch) }
                }
                guard scratch.count == 1, scratch[0] == UInt32(id) else { continue }
            }
            whole.insert(bytes, value: UInt32(id))
        }
        self.wholeTokens = whole
    }

    enum WholeTokenRule { case all, reproducedByMerges }

    func isDefined(_ id: Int) -> Bool { id >= 0 && id < vocabularySize && defined[id] }

    /// Appends the bytes of a defined id.
    @inline(__always)
    func appendBytes(of id: Int, to out: inout [UInt8]) {
        tokenArena.withUnsafeBufferPointer { arena in
            out.append(contentsOf: UnsafeBufferPointer(rebasing: arena[tokenStart[id]..<tokenStart[id + 1]]))
        }
    }

    /// The vocabulary-file string of an id (`Ġthe`), or nil if the id is not defined.
    func tokenString(_ id: Int) -> String? {
        guard isDefined(id) else { return nil }
        if let text = addedStrings[id] { return text }
        return ByteLevelAlphabet.string(of: tokenArena[tokenStart[id]..<tokenStart[id + 1]])
    }

    /// The id of a vocabulary-file string, or nil.
    func id(forTokenString token: String) -> Int? {
        if let id = addedIDs[token] { return id }
        guard let bytes = ByteLevelAlphabet.bytes(of: token.unicodeScalars), let id = tokensByBytes.value(for: bytes)
        else { return nil }
        return Int(id)
    }
}
