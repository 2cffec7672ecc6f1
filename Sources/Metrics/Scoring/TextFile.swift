import Foundation

/// Reading text files as the reference tools do, with errors that name the file and line: bytes are
/// validated as UTF-8 here (not left to a lossy decoder) and lines are split on "\n" only, as sacreBLEU
/// opens files (`newline="\n"`), so a "\r" before it stays part of the line.
public enum TextFile {
    /// The lines of a UTF-8 file; a final "\n" does not start another line. Throws for an unreadable or
    /// zero-byte file and for invalid UTF-8 (with line and byte column).
    public static func lines(atPath path: String) throws -> [String] {
        try lines(of: read(path), path: path)
    }

    static func read(_ path: String) throws -> [UInt8] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw MetricsError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        guard !data.isEmpty else { throw MetricsError.emptyFile(path: path) }
        return [UInt8](data)
    }

    /// Splits and decodes; `path` is only for messages.
    static func lines(of bytes: [UInt8], path: String) throws -> [String] {
        try validateUTF8(bytes, path: path)
        var lines = [String]()
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == 0x0A {
            lines.append(String(decoding: bytes[start..<i], as: UTF8.self))
            start = i + 1
        }
        if start < bytes.count { lines.append(String(decoding: bytes[start...], as: UTF8.self)) }
        return lines
    }

    /// Strict UTF-8 (RFC 3629, as Python's codec): no overlong forms, no surrogates, nothing above
    /// U+10FFFF, no truncated sequences.
    static func validateUTF8(_ bytes: [UInt8], path: String) throws {
        var line = 1, lineStart = 0
        var i = 0
        let n = bytes.count
        func fail() -> MetricsError { .invalidUTF8(path: path, line: line, column: i - lineStart + 1) }
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                if b0 == 0x0A {
                    line += 1
                    lineStart = i + 1
                }
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F  // excludes surrogates
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: throw fail()
            }
            guard i + length <= n, (low...high).contains(bytes[i + 1]) else { throw fail() }
            for k in 2..<length where !(0x80...0xBF).contains(bytes[i + k]) { throw fail() }
            i += length
        }
    }
}
