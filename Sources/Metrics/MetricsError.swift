import Foundation
import TextIO

/// Every failure the Metrics module reports: bad options, inputs that no score can be computed from, and
/// unreadable or malformed input files. Messages name the file, the 1-based line and a hint.
public enum MetricsError: Error, CustomStringConvertible, Equatable, TextInputReporting {
    /// An option value outside what the metric supports (`what` names the option).
    case invalidOption(what: String, value: String, hint: String)
    /// Segment `index` (0-based) has no reference at all.
    case noReferences(segment: Int)
    /// The hypothesis and reference lists differ in length.
    case countMismatch(hypotheses: Int, references: Int)
    /// The corpus has no segment.
    case emptyCorpus
    /// An input file that cannot be read, is not UTF-8 or is not JSON where JSON is expected (from TextIO,
    /// with line and column).
    case input(TextInputError)
    /// A file holds no line at all.
    case emptyFile(path: String)
    /// Two files that must run in parallel have different line counts.
    case lineCountMismatch(path: String, lines: Int, expectedPath: String, expected: Int)
    /// A line whose content does not fit the file's format.
    case malformedLine(path: String, line: Int, reason: String)
    /// A hypothesis and reference too long for an alignment metric's table (`Corpus.maximumAlignmentCells`).
    case segmentTooLong(segment: Int, metric: MetricName, hypothesisTokens: Int, referenceTokens: Int)
    /// An internal invariant of a ported algorithm failed (the Python reference would raise here too).
    case internalInconsistency(String)

    public var description: String {
        switch self {
        case let .invalidOption(what, value, hint):
            return "invalid \(what) '\(value)': \(hint)"
        case let .noReferences(segment):
            return "segment \(segment + 1) has no reference; every hypothesis needs at least one"
        case let .countMismatch(hypotheses, references):
            return "\(hypotheses) hypotheses but \(references) reference sets; they must pair up one to one"
        case .emptyCorpus:
            return "nothing to score: the corpus has no segment"
        case let .input(problem):
            return problem.description
        case let .emptyFile(path):
            return "\(path): the file is empty; expected one segment per line"
        case let .lineCountMismatch(path, lines, expectedPath, expected):
            return
                "\(path) has \(NumberText.count(lines, "segment")) but \(expectedPath) has \(NumberText.grouped(expected)); "
                + "hypotheses and references must pair up line by line"
        case let .malformedLine(path, line, reason):
            return "\(path):\(line): \(reason)"
        case let .segmentTooLong(segment, metric, hypothesisTokens, referenceTokens):
            return
                "segment \(segment + 1): \(metric == .rouge ? "ROUGE-L" : "TER") would align \(NumberText.count(hypothesisTokens, "hypothesis token")) "
                + "with \(NumberText.count(referenceTokens, "reference token")), more than it can in reasonable time and "
                + "memory (\(NumberText.grouped(Corpus.maximumAlignmentCells)) pairs of tokens); a segment is one line: "
                + "check the input, or leave \(metric.rawValue) out of --metrics"
        case let .internalInconsistency(message):
            return "internal error in a metric: \(message)"
        }
    }
}
