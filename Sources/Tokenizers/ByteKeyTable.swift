/// An open-addressing hash map from byte strings to a 64-bit payload, with keys kept in one byte arena.
///
/// The encoder looks up every pre-token piece by its bytes (whole-token table, word cache); a Swift
/// `Dictionary<[UInt8], …>` would allocate a key array and SipHash it per lookup. Here a lookup hashes the
/// bytes in place (FNV-1a) and compares against the arena with `memcmp`-like loops, allocation-free.
struct ByteKeyTable: Sendable {
    private struct Slot: Sendable {
        var tag: UInt32 = 0  // high bits of the hash, never 0 for a used slot
        var length: UInt32 = 0
        var offset: UInt32 = 0
        var value: UInt64 = 0
    }

    private var slots: [Slot]
    private var arena: [UInt8] = []
    private var mask: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 16) {
        var size = 16
        while size < minimumCapacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
    }

    /// FNV-1a over the bytes, finished with a multiply-xorshift so both the low (bucket) and high (tag)
    /// bits are well mixed.
    @inline(__always)
    static func hash(_ base: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in 0..<length {
            h = (h ^ UInt64(base[i])) &* 0x0000_0100_0000_01B3
        }
        h ^= h >> 32
        h &*= 0x9E37_79B9_7F4A_7C15
        return h ^ (h >> 29)
    }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 40) | 1 }

    /// The payload stored for `length` bytes at `base`, whose `hash(_:_:)` is `hash`.
    @inline(__always)
    func value(_ base: UnsafePointer<UInt8>, _ length: Int, hash: UInt64) -> UInt64? {
        let tag = Self.tag(hash)
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                var index = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let slot = slots[index]
                    if slot.tag == 0 { return nil }
                    if slot.tag == tag, Int(slot.length) == length,
                        Self.equal(base, arena.baseAddress.map { $0 + Int(slot.offset) }, length)
                    {
                        return slot.value
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }

    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>?, _ length: Int) -> Bool {
        guard let b else { return length == 0 }
        for i in 0..<length where a[i] != b[i] { return false }
        return true
    }

    func value(for key: [UInt8]) -> UInt64? {
        key.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return emptyKeyValue }
            return value(base, buffer.count, hash: Self.hash(base, buffer.count))
        }
    }

    /// Payload of the empty key, kept outside the table (an empty buffer may have no base address).
    private var emptyKeyValue: UInt64?

    /// Stores `value` for the key, replacing an existing payload; returns the previous one.
    @discardableResult
    mutating func insert(_ base: UnsafePointer<UInt8>, _ length: Int, hash: UInt64, value: UInt64) -> UInt64? {
        let tag = Self.tag(hash)
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index].tag != 0 {
            let slot = slots[index]
            if slot.tag == tag, Int(slot.length) == length {
                let same = arena.withUnsafeBufferPointer { Self.equal(base, $0.baseAddress.map { $0 + Int(slot.offset) }, length) }
                if same {
                    slots[index].value = value
                    return slot.value
                }
            }
            index = (index + 1) & mask
        }
        let offset = arena.count
        arena.append(contentsOf: UnsafeBufferPointer(start: base, count: length))
        slots[index] = Slot(tag: tag, length: UInt32(length), offset: UInt32(offset), value: value)
        count += 1
        if count * 2 > slots.count { grow() }
        return nil
    }

    @discardableResult
    mutating func insert(_ key: [UInt8], value: UInt64) -> UInt64? {
        key.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                defer { emptyKeyValue = value }
                return emptyKeyValue
            }
            return insert(base, buffer.count, hash: Self.hash(base, buffer.count), value: value)
        }
    }

    /// Forgets every key but keeps the allocated storage (the word cache's size limit).
    mutating func removeAll() {
        for i in slots.indices { slots[i].tag = 0 }
        arena.removeAll(keepingCapacity: true)
        count = 0
        emptyKeyValue = nil
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        arena.withUnsafeBufferPointer { arena in
            for slot in old where slot.tag != 0 {
                // Rehash from the stored bytes: the tag keeps only part of the hash.
                let hash = arena.baseAddress.map { Self.hash($0 + Int(slot.offset), Int(slot.length)) } ?? 0
                var index = Int(truncatingIfNeeded: hash) & mask
                while slots[index].tag != 0 { index = (index + 1) & mask }
                slots[index] = slot
            }
        }
    }
}
