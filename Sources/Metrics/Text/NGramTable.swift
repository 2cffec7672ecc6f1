/// An n-gram → count table with open addressing, linear probing and a multiplicative hash: the hot loop of
/// every n-gram metric, several times faster than `Dictionary` (whose SipHash dominates the profile).
/// Entries are kept in insertion order, which is the iteration order of a Python `Counter` built the same
/// way; `removeAll` keeps the storage so one table can be reused for every segment.
struct NGramTable {
    private(set) var keys: [NGram]
    private(set) var counts: [Int]
    /// Occupied slots in insertion order.
    private(set) var order: [Int32] = []
    private var mask: Int

    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [NGram](repeating: NGram.unused, count: size)
        counts = [Int](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { order.count }
    var isEmpty: Bool { order.isEmpty }

    @inline(__always)
    private func slot(of gram: NGram) -> Int {
        let mixed = gram.w0 &* 0x9E37_79B9_7F4A_7C15 ^ (gram.w1 &* 0xC2B2_AE3D_27D4_EB4F) ^ (gram.w2 &* 0x1656_67B1_9E37_79F9)
        var i = Int(truncatingIfNeeded: (mixed ^ (mixed >> 29)) & UInt64(mask))
        while keys[i] != gram && keys[i] != NGram.unused { i = (i + 1) & mask }
        return i
    }

    /// The count of `gram` (0 when absent).
    @inline(__always)
    func count(of gram: NGram) -> Int { counts[slot(of: gram)] }

    /// Adds `amount` to the count of `gram`.
    @inline(__always)
    mutating func add(_ gram: NGram, _ amount: Int = 1) {
        let i = slot(of: gram)
        if keys[i] == NGram.unused {
            insert(gram, amount, at: i)
        } else {
            counts[i] += amount
        }
    }

    /// Raises the count of `gram` to at least `value`.
    @inline(__always)
    mutating func raise(_ gram: NGram, to value: Int) {
        let i = slot(of: gram)
        if keys[i] == NGram.unused {
            insert(gram, value, at: i)
        } else if counts[i] < value {
            counts[i] = value
        }
    }

    private mutating func insert(_ gram: NGram, _ value: Int, at i: Int) {
        keys[i] = gram
        counts[i] = value
        order.append(Int32(i))
        if order.count * 2 > keys.count { grow() }
    }

    private mutating func grow() {
        let entries = order.map { (keys[Int($0)], counts[Int($0)]) }
        self = NGramTable(capacity: keys.count)
        for (gram, value) in entries { add(gram, value) }
    }

    /// Empties the table, keeping its storage.
    mutating func removeAll() {
        for i in order {
            keys[Int(i)] = NGram.unused
            counts[Int(i)] = 0
        }
        order.removeAll(keepingCapacity: true)
    }

    /// (n-gram, count) in insertion order.
    var entries: [(gram: NGram, count: Int)] { order.map { (keys[Int($0)], counts[Int($0)]) } }

    /// Calls `body` with every (n-gram, count) in insertion order, without building an array.
    @inline(__always)
    func forEach(_ body: (NGram, Int) -> Void) {
        for i in order { body(keys[Int(i)], counts[Int(i)]) }
    }

    /// Adds every n-gram of order `n` of `seq`.
    mutating func addNGrams(of seq: [UInt32], order n: Int) {
        guard seq.count >= n else { return }
        seq.withUnsafeBufferPointer { buffer in
            for start in 0...(seq.count - n) { add(NGram(buffer, start: start, n: n)) }
        }
    }
}
