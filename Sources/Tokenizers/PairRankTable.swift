/// The merge rules as a hash map from a pair of adjacent token ids (packed into one `UInt64`) to the
/// rank of the merge and the id it produces. BPE probes it once per adjacent pair, so it is an
/// open-addressing table with a multiplicative hash rather than a `Dictionary` (SipHash per probe).
struct PairRankTable: Sendable {
    /// A merge: lower `rank` merges first; `merged` is the resulting token id.
    struct Merge: Equatable, Sendable {
        var rank: UInt32
        var merged: UInt32
    }

    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var values: [Merge]
    private var shift: UInt64
    private(set) var count = 0

    init(minimumCapacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < minimumCapacity * 2 { bits += 1 }
        keys = [UInt64](repeating: Self.empty, count: 1 << bits)
        values = [Merge](repeating: Merge(rank: 0, merged: 0), count: 1 << bits)
        shift = 64 - bits
    }

    @inline(__always)
    static func key(_ left: UInt32, _ right: UInt32) -> UInt64 { UInt64(left) << 32 | UInt64(right) }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The merge for `left` followed by `right`, if there is one.
    @inline(__always)
    func merge(_ left: UInt32, _ right: UInt32) -> Merge? {
        let key = Self.key(left, right)
        let mask = keys.count - 1
        return keys.withUnsafeBufferPointer { keys in
            var index = slot(key)
            while true {
                let stored = keys[index]
                if stored == key { return values[index] }
                if stored == Self.empty { return nil }
                index = (index + 1) & mask
            }
        }
    }

    /// Adds a merge; returns false (and changes nothing) if the pair already has one.
    mutating func insert(_ left: UInt32, _ right: UInt32, _ merge: Merge) -> Bool {
        if (count + 1) * 2 > keys.count { grow() }
        let key = Self.key(left, right)
        let mask = keys.count - 1
        var index = slot(key)
        while keys[index] != Self.empty {
            if keys[index] == key { return false }
            index = (index + 1) & mask
        }
        keys[index] = key
        values[index] = merge
        count += 1
        return true
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        values = [Merge](repeating: Merge(rank: 0, merged: 0), count: oldKeys.count * 2)
        shift -= 1
        let mask = keys.count - 1
        for (key, value) in zip(oldKeys, oldValues) where key != Self.empty {
            var index = slot(key)
            while keys[index] != Self.empty { index = (index + 1) & mask }
            keys[index] = key
            values[index] = value
        }
    }
}
