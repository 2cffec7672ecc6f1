/// Interning of tokens (runs of scalar values) into dense integer ids, so n-gram tables hash small fixed
/// keys instead of strings. Two tokens get the same id exactly when their scalar values are equal — the
/// code-point equality Python uses, not Swift's canonical-equivalence `String ==`.
final class TokenIDs {
    private var ids: [TokenKey: UInt32] = [:]
    /// The token of each id.
    private(set) var tokens: [ArraySlice<UInt32>] = []

    /// The id of `token`, assigning the next free one on first sight.
    func id(_ token: ArraySlice<UInt32>) -> UInt32 {
        if let id = ids[TokenKey(token)] { return id }
        let id = UInt32(ids.count)
        let copy = ArraySlice(Array(token))  // the key must not pin the caller's whole line
        ids[TokenKey(copy)] = id
        tokens.append(copy)
        return id
    }

    /// The ids of the whitespace-separated tokens of `text` (Python's `text.split()`).
    func ids(splitting text: [UInt32]) -> [UInt32] {
        PythonText.splitRanges(text).map { id(text[$0]) }
    }

    var count: Int { ids.count }
}

/// A token's scalar values as a dictionary key, hashed as raw bytes in one call.
struct TokenKey: Hashable {
    let scalars: ArraySlice<UInt32>

    init(_ scalars: ArraySlice<UInt32>) { self.scalars = scalars }

    func hash(into hasher: inout Hasher) {
        scalars.withUnsafeBufferPointer { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    static func == (a: TokenKey, b: TokenKey) -> Bool { a.scalars == b.scalars }
}
