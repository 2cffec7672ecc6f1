/// A JSON Lines file read one line at a time: each line (by `TextFile.lines()`, so CRLF reads as LF) holds
/// one JSON value. A line that does not parse is handed to the caller as a failure rather than thrown, so a
/// loader can skip it and resume at the next line.
public struct JSONLines: Sequence {
    /// What a line of only spaces and tabs means.
    public enum BlankLines: Sendable {
        /// Not a record: many writers end files with one, and JSON Lines separates nothing with them.
        case skip
        /// A failure naming the line: the caller counts lines, e.g. one output line per input line.
        case reject
    }

    /// One non-skipped line: its number and its value or the reason it has none.
    public struct Line {
        public let number: Int
        public let value: Result<JSONValue, TextInputError>
    }

    public let file: TextFile
    public let blankLines: BlankLines

    public init(_ file: TextFile, blankLines: BlankLines = .skip) {
        self.file = file
        self.blankLines = blankLines
    }

    public func makeIterator() -> Iterator {
        Iterator(file: file, blankLines: blankLines, lines: file.lines().makeIterator())
    }

    public struct Iterator: IteratorProtocol {
        let file: TextFile
        let blankLines: BlankLines
        var lines: IndexingIterator<[TextLine]>

        public mutating func next() -> Line? {
            while let line = lines.next() {
                if file.bytes[line.range].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    if blankLines == .skip { continue }
                    let blank = TextInputError.malformedJSON(
                        file: file.name, line: line.number, column: 1, reason: "blank line, expected a JSON value")
                    return Line(number: line.number, value: .failure(blank))
                }
                do {
                    return Line(
                        number: line.number,
                        value: .success(try JSONValue.parse(file, range: line.range, line: line.number)))
                } catch {
                    return Line(number: line.number, value: .failure(error))
                }
            }
            return nil
        }
    }
}
