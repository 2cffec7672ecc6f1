import CUTF8Proc

/// GPT-2's pre-tokenizer, a hand-written scanner equivalent to the regex
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// run with `findall` over valid UTF-8 bytes. Alternatives are tried in order at each position (the
/// first that matches wins, as in a backtracking regex), so:
/// - contractions are lower-case ASCII only (`'S` is punctuation followed by a letter) and win even
///   inside a word (`'sound` → `'s`, `ound`);
/// - the optional leading character is U+0020 only (a tab or NBSP never joins the next word);
/// - a whitespace run followed by a non-space gives up its last character to the next piece
///   (`\s+(?!\S)` backtracks one character); a run of one character followed by a non-space is then
///   matched by the final `\s+`, so `"\t\tx"` → `"\t"`, `"\t"`, `"x"` and `"  x"` → `" "`, `" x"`;
/// - a run at the end of the text stays whole.
///
/// It works on raw bytes so the encoder can hash and look up pieces without building strings.
struct PreTokenizer {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let bmp: UnsafePointer<UInt8>

    /// `bytes` must be valid UTF-8 (Swift strings always are); `bmpTable` is `CharacterClass.bmpTable`'s storage.
    init(bytes: UnsafeBufferPointer<UInt8>, bmpTable: UnsafePointer<UInt8>) {
        // An empty buffer may have a nil base; `count == 0` then stops `end(of:)` from ever reading it.
        self.base = bytes.baseAddress ?? UnsafePointer(bmpTable)
        self.count = bytes.count
        self.bmp = bmpTable
    }

    /// Class and UTF-8 length of the code point starting at byte `i` (`i < count`).
    @inline(__always)
    private func classAt(_ i: Int) -> (CharacterClass, Int) {
        let b0 = UInt32(base[i])
        if b0 < 0x80 { return (CharacterClass(rawValue: bmp[Int(b0)]) ?? .other, 1) }
        let scalar: UInt32
        let length: Int
        if b0 < 0xE0 {
            scalar = (b0 & 0x1F) << 6 | UInt32(base[i + 1] & 0x3F)
            length = 2
        } else if b0 < 0xF0 {
            scalar = (b0 & 0x0F) << 12 | UInt32(base[i + 1] & 0x3F) << 6 | UInt32(base[i + 2] & 0x3F)
            length = 3
        } else {
            scalar =
                (b0 & 0x07) << 18 | UInt32(base[i + 1] & 0x3F) << 12 | UInt32(base[i + 2] & 0x3F) << 6
                | UInt32(base[i + 3] & 0x3F)
            return (CharacterClass.of(scalar), 4)
        }
        return (CharacterClass(rawValue: bmp[Int(scalar)]) ?? .other, length)
    }

    /// The end (exclusive byte index) of the piece that starts at byte `i` (`i < count`).
    @inline(__always)
    func end(of i: Int) -> Int {
        let b = base[i]
        if b == 0x27, i + 1 < count {  // 's 't 'm 'd 're 've 'll
            let c = base[i + 1]
            if c == 0x73 || c == 0x74 || c == 0x6D || c == 0x64 { return i + 2 }
            if i + 2 < count {
                let d = base[i + 2]
                if (c == 0x72 && d == 0x65) || (c == 0x76 && d == 0x65) || (c == 0x6C && d == 0x6C) { return i + 3 }
            }
        }
        var (cls, length) = classAt(i)
        var start = i
        if b == 0x20, i + 1 < count {
            // " ?X+": a single U+0020 joins a following letter, number or other run.
            let (next, nextLength) = classAt(i + 1)
            if next != .whitespace {
                cls = next
                length = nextLength
                start = i + 1
            }
        }
        if cls != .whitespace {
            var j = start + length
            while j < count {
                let (c, l) = classAt(j)
                if c != cls { break }
                j += l
            }
            return j
        }
        var j = i + length
        var lastLength = length
        while j < count {
            let (c, l) = classAt(j)
            if c != .whitespace { break }
            lastLength = l
            j += l
        }
        if j == count { return j }
        // Followed by a non-space: leave the last whitespace character to the next piece if the run has
        // at least two characters (`\s+(?!\S)`), else take the single character (`\s+`).
        return j - lastLength > i ? j - lastLength : j
    }
}
