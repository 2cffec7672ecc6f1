/// Interning of tokens (runs of scalar values) into dense integer ids, so n-gram tables hash small fixed
/// keys instead of strings. Two tokens get the same id exactly when their scalar values are equal — the
/// code-point equality Python uses, not Swift's canonical-equivalence `String ==`.
///
/// An open-addressing table over a flat arena of scalars: `Dictionary` with an array key spent most of
/// its time in SipHash and allocations. A value type, so lookups need no dynamic exclusivity checks.
struct TokenIDs {
    /// Token k is `arena[starts[k] ..< starts[k + 1]]`.
    private var arena: [UInt32] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Slot → id + 1 (0 = free).
    private var slots = [Int32](repeating: 0, count: 1024)

    var count: Int { hashes.count }

    /// The scalars of token `id`.
    func token(_ id: UInt32) -> ArraySlice<UInt32> { arena[starts[Int(id)]..<starts[Int(id) + 1]] }

    /// The id of `token`, assigning the next free one on first sight.
    mutating func id(_ token: ArraySlice<UInt32>) -> UInt32 {
        // FNV-1a over the scalar values, then a multiplicative finaliser for the slot index.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for c in token { hash = (hash ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: ((hash &* 0x9E37_79B9_7F4A_7C15) >> 32)) & mask
        while slots[i] != 0 {
            let id = Int(slots[i] - 1)
            if hashes[id] == hash && equal(id, token) { return UInt32(id) }
            i = (i + 1) & mask
        }
        let id = hashes.count
        arena.append(contentsOf: token)
        starts.append(arena.count)
        hashes.append(hash)
        slots[i] = Int32(id + 1)
        if hashes.count * 2 > slots.count { grow() }
        return UInt32(id)
    }

    @inline(__always)
    private func equal(_ id: Int, _ token: ArraySlice<UInt32>) -> Bool {
        let start = starts[id]
        guard starts[id + 1] - start == token.count else { return false }
        var k = start
        for c in token {
            if arena[k] != c { return false }
            k += 1
        }
        return true
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, hash) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: ((hash &* 0x9E37_79B9_7F4A_7C15) >> 32)) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Int32(id + 1)
        }
    }

    /// The ids of the whitespace-separated tokens of `text` (Python's `text.split()`).
    mutating func ids(splitting text: [UInt32]) -> [UInt32] {
        var ids = [UInt32]()
        var i = 0
        let n = text.count
        while i < n {
            while i < n && PythonText.isSpace(text[i]) { i += 1 }
            if i == n { break }
            let start = i
            while i < n && !PythonText.isSpace(text[i]) { i += 1 }
            ids.append(id(text[start..<i]))
        }
        return ids
    }
}
