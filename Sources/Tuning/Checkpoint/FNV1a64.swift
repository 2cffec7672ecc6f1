/// FNV-1a with 64 bits over 32-bit words and bytes: the checkpoint's fingerprint of the frozen weights and its
/// checksum of everything it stores. Each step `(hash ^ word) * prime` is a bijection of the hash for a fixed
/// word and changes with the word, so any single changed word (one flipped bit) always changes the result.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    mutating func mix(_ word: UInt32) { value = (value ^ UInt64(word)) &* Self.prime }

    /// The bit patterns of `values`, one word each.
    mutating func mix(_ values: UnsafeBufferPointer<Float>) {
        var hash = value
        for x in values { hash = (hash ^ UInt64(x.bitPattern)) &* Self.prime }
        value = hash
    }

    /// The UTF-8 bytes of `text`, then its length (so "ab" + "c" and "a" + "bc" differ).
    mutating func mix(_ text: String) {
        for byte in text.utf8 { mix(UInt32(byte)) }
        mix(UInt32(truncatingIfNeeded: text.utf8.count))
    }

    var hex: String { String(value, radix: 16) }
}
