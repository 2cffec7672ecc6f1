/// A byte string prepared for `ByteKeyTable`: its first 16 bytes packed into two words (zero-padded)
/// and its hash, computed once per pre-token piece and used for every table it is looked up in.
struct ByteKey {
    let base: UnsafePointer<UInt8>
    let length: Int
    var k0: UInt64 = 0
    var k1: UInt64 = 0
    let hash: UInt64

    /// `available` is how many bytes may be read from `base` (at least `length`): with 16 or more the
    /// two words are loaded directly and masked, avoiding a byte copy that the next load would stall on.
    @inline(__always)
    init(_ base: UnsafePointer<UInt8>, _ length: Int, available: Int = 0) {
        self.base = base
        self.length = length
        if available >= 16 {
            let raw = UnsafeRawPointer(base)
            let w0 = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            let w1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            k0 = length >= 8 ? w0 : w0 & ((1 << UInt64(8 * length)) &- 1)
            k1 = length >= 16 ? w1 : length <= 8 ? 0 : w1 & ((1 << UInt64(8 * (length - 8))) &- 1)
        } else {
            // Copy at most `length` bytes so a piece at the very end of the text is never read past.
            withUnsafeMutableBytes(of: &k0) {
                $0.copyMemory(from: UnsafeRawBufferPointer(start: base, count: min(length, 8)))
            }
            if length > 8 {
                withUnsafeMutableBytes(of: &k1) {
                    $0.copyMemory(from: UnsafeRawBufferPointer(start: base + 8, count: min(length - 8, 8)))
                }
            }
        }
        var h = (k0 &* 0x9E37_79B9_7F4A_7C15) ^ (k1 &* 0xC2B2_AE3D_27D4_EB4F).rotated(31) ^ UInt64(length)
        var i = 16
        while i < length {  // long keys: fold in the rest, 8 bytes at a time
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) {
                $0.copyMemory(from: UnsafeRawBufferPointer(start: base + i, count: min(length - i, 8)))
            }
            h = (h ^ word).rotated(27) &* 0x9E37_79B9_7F4A_7C15
            i += 8
        }
        h ^= h >> 32
        h &*= 0xD6E8_FEB8_6659_FD93
        hash = h ^ (h >> 32)
    }
}

extension UInt64 {
    @inline(__always) fileprivate func rotated(_ n: UInt64) -> UInt64 { self << n | self >> (64 - n) }
}

/// An open-addressing hash map from non-empty byte strings to a 32-bit payload.
///
/// The encoder looks up every pre-token piece (whole-token table, word cache), so a lookup must not
/// allocate or chase pointers: a slot holds the first 16 bytes of its key inline (pieces are rarely
/// longer), so a hit usually costs one cache miss. Longer keys keep their bytes in an arena.
struct ByteKeyTable: Sendable {
    private struct Slot: Sendable {
        var k0: UInt64 = 0
        /// The key's bytes 8..<16, or for keys over 16 bytes the arena offset of bytes 16...
        var k1: UInt64 = 0
        /// High hash bits with the length (capped at 255) in the low byte; 0 marks an empty slot.
        var tag: UInt32 = 0
        var value: UInt32 = 0
    }

    private var slots: [Slot]
    private var arena: [UInt8] = []
    private var mask: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 16) {
        var size = 16
        while size * 3 < minimumCapacity * 4 { size <<= 1 }
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func tag(_ key: ByteKey) -> UInt32 {
        UInt32(truncatingIfNeeded: key.hash >> 32) & 0xFFFF_FF00 | UInt32(min(key.length, 255))
    }

    /// Key bytes 8... of a long key, compared with the arena copy that starts at `offset`.
    @inline(__always)
    private func tailEqual(_ key: ByteKey, offset: UInt64) -> Bool {
        arena.withUnsafeBufferPointer { arena in
            let start = Int(offset)
            guard start + key.length - 8 <= arena.count else { return false }
            for i in 8..<key.length where arena[start + i - 8] != key.base[i] { return false }
            return true
        }
    }

    @inline(__always)
    private func matches(_ slot: Slot, _ key: ByteKey, tag: UInt32) -> Bool {
        guard slot.tag == tag, slot.k0 == key.k0 else { return false }
        if key.length <= 16 { return slot.k1 == key.k1 }
        return lengthInArena(slot.k1) == key.length && tailEqual(key, offset: slot.k1 + 8)
    }

    /// Long keys are stored in the arena as an 8-byte length, then bytes 8... (the first 8 are in `k0`).
    private func lengthInArena(_ offset: UInt64) -> Int {
        arena.withUnsafeBytes { bytes in
            Int(bytes.loadUnaligned(fromByteOffset: Int(offset), as: UInt64.self))
        }
    }

    /// The payload stored for `key`, if any.
    @inline(__always)
    func value(_ key: ByteKey) -> UInt32? {
        let tag = Self.tag(key)
        return slots.withUnsafeBufferPointer { slots in
            var index = Int(truncatingIfNeeded: key.hash) & mask
            while true {
                let slot = slots[index]
                if slot.tag == 0 { return nil }
                if matches(slot, key, tag: tag) { return slot.value }
                index = (index + 1) & mask
            }
        }
    }

    /// The payload for a key given as an array (loading and tests; not the hot path). Empty keys are never stored.
    func value(for key: [UInt8]) -> UInt32? {
        key.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return nil }
            return value(ByteKey(base, buffer.count))
        }
    }

    /// Stores `value` for the key, replacing an existing payload; returns the previous one.
    @discardableResult
    mutating func insert(_ key: ByteKey, value: UInt32) -> UInt32? {
        let tag = Self.tag(key)
        var index = Int(truncatingIfNeeded: key.hash) & mask
        while slots[index].tag != 0 {
            if matches(slots[index], key, tag: tag) {
                defer { slots[index].value = value }
                return slots[index].value
            }
            index = (index + 1) & mask
        }
        var slot = Slot(k0: key.k0, k1: key.k1, tag: tag, value: value)
        if key.length > 16 {
            slot.k1 = UInt64(arena.count)
            withUnsafeBytes(of: UInt64(key.length)) { arena.append(contentsOf: $0) }
            arena.append(contentsOf: UnsafeBufferPointer(start: key.base + 8, count: key.length - 8))
        }
        slots[index] = slot
        count += 1
        if count * 4 > slots.count * 3 { grow() }
        return nil
    }

    /// Inserts a key given as an array; empty keys are ignored (no pre-token piece is empty).
    @discardableResult
    mutating func insert(_ key: [UInt8], value: UInt32) -> UInt32? {
        key.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return nil }
            return insert(ByteKey(base, buffer.count), value: value)
        }
    }

    /// Forgets every key but keeps the allocated storage (the word cache's size limit).
    mutating func removeAll() {
        for i in slots.indices { slots[i].tag = 0 }
        arena.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Doubles the slot array. Slots move by their stored hash bits only: the home index needs the full
    /// hash, so it is recomputed from the key bytes (inline, or k0 + arena for long keys).
    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        var bytes = [UInt8](repeating: 0, count: 16)
        for slot in old where slot.tag != 0 {
            let shortLength = Int(slot.tag & 0xFF)
            let length = shortLength <= 16 ? shortLength : lengthInArena(slot.k1)
            bytes.removeAll(keepingCapacity: true)
            withUnsafeBytes(of: slot.k0) { bytes.append(contentsOf: $0) }
            if length <= 16 {
                withUnsafeBytes(of: slot.k1) { bytes.append(contentsOf: $0) }
            } else {
                let start = Int(slot.k1) + 8
                bytes.append(contentsOf: arena[start..<(start + length - 8)])
            }
            let hash = bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { ByteKey($0, length).hash } ?? 0
            }
            var index = Int(truncatingIfNeeded: hash) & mask
            while slots[index].tag != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
