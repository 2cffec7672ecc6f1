/// GPT-2's byte ↔ unicode table (`bytes_to_unicode` in OpenAI's `encoder.py`).
///
/// Vocabulary files store tokens as printable strings: bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ` stand for
/// themselves, the other 68 bytes map in byte order to U+0100… (space 0x20 → `Ġ` U+0120, `\n` → `Ċ`).
/// The tokenizer works on raw bytes throughout and only uses this table at the file and `token(for:)` edges.
enum ByteLevelAlphabet {
    /// `scalar[b]` is the code point that stands for byte `b`.
    static let scalar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The largest code point in the alphabet (U+0143); `byte(for:)` is -1 above it.
    static let maxScalar: UInt32 = 0x143

    /// `byteForScalar[c]` is the byte that code point `c` stands for, or -1 if `c` is not in the alphabet.
    private static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: Int(maxScalar) + 1)
        for (byte, scalar) in ByteLevelAlphabet.scalar.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    /// The byte a code point stands for, or nil when it is not one of the 256 alphabet characters.
    static func byte(for scalar: UInt32) -> UInt8? {
        guard scalar <= maxScalar else { return nil }
        let byte = byteForScalar[Int(scalar)]
        return byte < 0 ? nil : UInt8(byte)
    }

    /// The raw bytes a vocabulary string stands for, or nil if it has a character outside the alphabet
    /// (such a token — an added token — is not made of bytes and BPE can never produce it).
    static func bytes(of token: some Sequence<Unicode.Scalar>) -> [UInt8]? {
        var out: [UInt8] = []
        for scalar in token {
            guard let byte = byte(for: scalar.value) else { return nil }
            out.append(byte)
        }
        return out
    }

    /// Replaces `out` with the raw bytes a UTF-8 vocabulary string stands for, without building a String
    /// (alphabet characters are all below U+0144, so one or two UTF-8 bytes each). False if the text has
    /// a character outside the alphabet or is not well-formed; callers then take the slow path.
    static func decode(utf8: some Collection<UInt8>, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var iterator = utf8.makeIterator()
        while let lead = iterator.next() {
            var scalar = UInt32(lead)
            if lead >= 0x80 {
                guard lead >= 0xC2, lead < 0xE0, let next = iterator.next(), next & 0xC0 == 0x80 else { return false }
                scalar = UInt32(lead & 0x1F) << 6 | UInt32(next & 0x3F)
            }
            guard let byte = byte(for: scalar) else { return false }
            out.append(byte)
        }
        return true
    }

    /// The vocabulary string for raw token bytes (inverse of `bytes(of:)`).
    static func string(of bytes: some Sequence<UInt8>) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes {
            // Every table entry is a valid scalar below U+0144, so the fallback never happens.
            text.append(Unicode.Scalar(scalar[Int(byte)]) ?? "?")
        }
        return String(text)
    }
}
