/// One line of a text file: its 1-based number and its bytes without the line ending.
public struct TextLine: Sendable, Equatable {
    public let number: Int
    public let range: Range<Int>

    public init(number: Int, range: Range<Int>) {
        self.number = number
        self.range = range
    }
}

extension TextFile {
    /// The file's lines, by the one line policy of every line-oriented input (dataset `.txt` and JSON Lines
    /// files, `train --task text`, `score`, `tokenize`, `perplexity`):
    ///
    /// - A line ends at LF. CRLF reads as LF: the CR before an LF is part of the line ending, never of the
    ///   text, so a file saved on Windows gives the same lines, tokens and scores as its LF copy.
    /// - A CR at the very end of the file (a last CRLF cut after its CR) is dropped too; every other CR — a
    ///   lone CR, as old Mac files end lines — is text. So are U+2028, U+0085 and form feeds: splitting on
    ///   them would silently change line numbers that other tools count by LF.
    /// - A final LF does not start another line; an empty file has no lines; an empty line in the middle is
    ///   an empty line.
    public func lines() -> [TextLine] {
        var result: [TextLine] = []
        var start = 0
        var number = 1
        bytes.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where buffer[i] == 0x0A {
                let end = i > start && buffer[i - 1] == 0x0D ? i - 1 : i
                result.append(TextLine(number: number, range: start..<end))
                start = i + 1
                number += 1
            }
            if start < buffer.count {
                let end = buffer[buffer.count - 1] == 0x0D ? buffer.count - 1 : buffer.count
                result.append(TextLine(number: number, range: start..<end))
            }
        }
        return result
    }

    /// A line's text; invalid UTF-8 is an error at the line and column of the first bad byte.
    public func text(of line: TextLine) throws(TextInputError) -> String {
        try text(line.range, anchor: line.range.lowerBound, anchorLine: line.number)
    }

    /// Every line's text, in order; the first line that is not UTF-8 is an error.
    public func textLines() throws(TextInputError) -> [String] {
        var texts: [String] = []
        let lines = lines()
        texts.reserveCapacity(lines.count)
        for line in lines { texts.append(try text(of: line)) }
        return texts
    }
}
