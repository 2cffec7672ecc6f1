import Foundation

/// A data file read as raw bytes, so that encoding problems become typed errors with a line number instead of
/// Foundation's silent replacement characters or a nil string.
struct TextFile {
    /// The path as the user gave it, used in every error message.
    let name: String
    let bytes: [UInt8]

    init(url: URL) throws {
        name = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DatasetError.unreadable(file: url.path, reason: Self.reason(error))
        }
        var bytes = [UInt8](data)
        // A UTF-8 byte-order mark (written by some spreadsheet programs) is not part of the first field.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.bytes = bytes
    }

    init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// The underlying reason without Foundation's long `NSError` wrapping.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return nsError.localizedDescription
    }

    /// The bytes in `range` as a string; invalid UTF-8 is an error naming the line of the first bad byte,
    /// counted from `line`, the line on which `range` starts.
    func string(_ range: Range<Int>, line: Int) throws -> String {
        let slice = bytes[range]
        if let bad = UTF8Validation.firstInvalidOffset(in: slice) {
            throw DatasetError.invalidUTF8(file: name, line: line + newlineCount(range.lowerBound..<bad))
        }
        return String(decoding: slice, as: UTF8.self)
    }

    /// Validates the whole file, for formats (XML, JSON documents) that cannot resume after a bad byte.
    func validateUTF8() throws {
        if let bad = UTF8Validation.firstInvalidOffset(in: bytes[...]) {
            throw DatasetError.invalidUTF8(file: name, line: 1 + newlineCount(0..<bad))
        }
    }

    /// Number of LF bytes in `range` (a CRLF counts once, through its LF).
    func newlineCount(_ range: Range<Int>) -> Int {
        var count = 0
        for i in range where bytes[i] == 0x0A { count += 1 }
        return count
    }

    /// The physical lines (LF-terminated, a trailing CR removed) with their 1-based numbers; a final empty
    /// line after the last LF is not reported.
    func lines() -> [(number: Int, range: Range<Int>)] {
        var result: [(number: Int, range: Range<Int>)] = []
        var start = 0
        var number = 1
        for i in bytes.indices where bytes[i] == 0x0A {
            let end = i > start && bytes[i - 1] == 0x0D ? i - 1 : i
            result.append((number, start..<end))
            start = i + 1
            number += 1
        }
        if start < bytes.count {
            let end = bytes[bytes.count - 1] == 0x0D ? bytes.count - 1 : bytes.count
            result.append((number, start..<end))
        }
        return result
    }

    /// The file name without folders and extension, used to build example ids (`devset`, `dialogsum.test`).
    var stem: String {
        URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
    }
}

/// UTF-8 validation per RFC 3629 (no overlong forms, no surrogates, nothing above U+10FFFF).
enum UTF8Validation {
    /// The offset of the first byte that does not start a well-formed sequence, or nil if all is valid.
    static func firstInvalidOffset(in bytes: ArraySlice<UInt8>) -> Int? {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            // Sequence length and the allowed range of the second byte (which rules out overlongs,
            // surrogates and code points above U+10FFFF).
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard end - i >= length else { return i }
            let b1 = bytes[i + 1]
            guard b1 >= low && b1 <= high else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
