import Foundation

/// A text input read as raw bytes, so that encoding problems become typed errors with a line and column
/// instead of Foundation's silent replacement characters or a nil string.
///
/// A UTF-8 byte-order mark at the start (written by some editors and spreadsheet programs) is dropped: it is
/// never part of the first line, field or JSON value. Columns count bytes after it.
public struct TextFile: Sendable {
    /// The path as the user gave it (or `<stdin>`), used in every error message.
    public let name: String
    /// The file's bytes, without a leading byte-order mark.
    public let bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes.starts(with: Self.byteOrderMark) ? Array(bytes.dropFirst(3)) : bytes
    }

    /// Reads `url`, named by its path in messages.
    public init(url: URL) throws(TextInputError) {
        try self.init(url: url, name: url.path)
    }

    /// Reads `path`, named in messages as given (a relative path stays relative).
    public init(path: String) throws(TextInputError) {
        try self.init(url: URL(fileURLWithPath: path), name: path)
    }

    private init(url: URL, name: String) throws(TextInputError) {
        // A folder, a pipe or a missing file is named before Foundation answers with its own texts.
        if let problem = FileProblem.forReading(url.path) { throw .unreadable(file: name, reason: problem) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: name, reason: FileProblem.reason(error, path: url.path, writing: false))
        }
        self.init(name: name, bytes: [UInt8](data))
    }

    /// Everything on standard input, named `<stdin>` in messages.
    public static func standardInput() -> TextFile {
        TextFile(name: "<stdin>", bytes: [UInt8](FileHandle.standardInput.readDataToEndOfFile()))
    }

    /// The file name without folders and extension (`devset`, `dialogsum.test`), e.g. for example ids.
    public var stem: String {
        URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The 1-based line and byte column of `offset`, counting lines forward from `anchor`, an offset known
    /// to lie on line `anchorLine` (so a caller deep in a large file does not rescan it from the start).
    public func location(ofByte offset: Int, anchor: Int = 0, anchorLine: Int = 1) -> (line: Int, column: Int) {
        var line = anchorLine
        if anchor < offset {
            for i in anchor..<offset where bytes[i] == 0x0A { line += 1 }
        }
        var lineStart = offset
        while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        return (line, offset - lineStart + 1)
    }
}
