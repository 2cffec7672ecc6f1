/// An n-gram of up to `NGram.maxOrder` values (token ids or character scalars) packed into three words.
/// Unused slots hold `UInt32.max`, which is neither a scalar value nor a token id, so n-grams of different
/// orders never compare equal. `NGramTable` hashes them.
struct NGram: Equatable {
    static let maxOrder = 6
    static let empty: UInt64 = .max
    /// All slots unused: no n-gram of order ≥ 1 (marks free slots in `NGramTable`).
    static let unused = NGram()

    private init() {}

    var w0: UInt64 = NGram.empty
    var w1: UInt64 = NGram.empty
    var w2: UInt64 = NGram.empty

    /// The n-gram `values[start ..< start + n]` (n ≤ `maxOrder`).
    @inline(__always)
    init(_ values: UnsafeBufferPointer<UInt32>, start: Int, n: Int) {
        @inline(__always) func slot(_ k: Int) -> UInt64 { k < n ? UInt64(values[start + k]) : 0xFFFF_FFFF }
        w0 = slot(0) | slot(1) << 32
        w1 = n > 2 ? slot(2) | slot(3) << 32 : NGram.empty
        w2 = n > 4 ? slot(4) | slot(5) << 32 : NGram.empty
    }

    /// The unigram of one value (for counting tokens in an `NGramTable`).
    @inline(__always)
    init(unigram value: UInt32) {
        w0 = UInt64(value) | 0xFFFF_FFFF_0000_0000
        w1 = NGram.empty
        w2 = NGram.empty
    }

    /// The (n−1)-gram prefix of this n-gram (`ngram[:-1]`).
    func droppingLast(_ n: Int) -> NGram {
        var copy = self
        let k = n - 1
        let mask = UInt64(0xFFFF_FFFF) << UInt64((k & 1) * 32)
        switch k >> 1 {
        case 0: copy.w0 |= mask
        case 1: copy.w1 |= mask
        default: copy.w2 |= mask
        }
        return copy
    }
}
