import ArgumentParser
import TextIO

/// A number a flag can take: its text in help and messages, and whether it is a number at all (NaN is not).
protocol BoundedNumber: Comparable, Sendable {
    var isNumber: Bool { get }
    var boundText: String { get }
}

extension Int: BoundedNumber {
    var isNumber: Bool { true }
    var boundText: String { NumberText.grouped(self) }
}

extension UInt64: BoundedNumber {
    var isNumber: Bool { true }
    var boundText: String { NumberText.grouped(self) }
}

extension Double: BoundedNumber {
    var isNumber: Bool { isFinite }
    var boundText: String {
        self == rounded() && abs(self) < 1e15 ? NumberText.grouped(Int(self)) : "\(self)"
    }
}

extension Float: BoundedNumber {
    var isNumber: Bool { isFinite }
    var boundText: String { Double(self).boundText }
}

/// The values one numeric flag accepts, stated once for both places that need them: `help` appends them to
/// the flag's help text (so `--help` lists every bound), and `check` refuses a value outside them in
/// `validate()` — a usage error (exit status 64) that names the flag, before any file is read or model loaded.
///
/// Bounds keep a flag inside what the code can do in reasonable memory and time (a beam count above the
/// vocabulary, a bootstrap that runs for days); settings that depend on the model (the context length, the
/// vocabulary) are checked again once it is loaded. Numeric flags are declared with `parsing: .unconditional`
/// so that a negative value (`--length-penalty -1`) is read as the value, not as an unknown option.
struct NumericBound<Value: BoundedNumber>: Sendable {
    let flag: String
    let lower: Value
    let lowerIncluded: Bool
    let upper: Value
    /// What the bounds mean, or how the value is used ("0 disables", "and at most the vocabulary size").
    let note: String?

    /// `lower` to `upper`, both included.
    init(_ flag: String, _ range: ClosedRange<Value>, note: String? = nil) {
        (self.flag, lower, lowerIncluded, upper, self.note) = (flag, range.lowerBound, true, range.upperBound, note)
    }

    /// More than `lower`, at most `upper`.
    init(_ flag: String, above lower: Value, atMost upper: Value, note: String? = nil) {
        (self.flag, self.lower, lowerIncluded, self.upper, self.note) = (flag, lower, false, upper, note)
    }

    /// "1 to 1,000", "more than 0, at most 1".
    var rangeText: String {
        lowerIncluded
            ? "\(lower.boundText) to \(upper.boundText)" : "more than \(lower.boundText), at most \(upper.boundText)"
    }

    /// `text` followed by the accepted values, for `@Option(help:)`.
    func help(_ text: String) -> ArgumentHelp {
        ArgumentHelp("\(text) Range: \(rangeText)\(note.map { "; \($0)" } ?? "").")
    }

    /// Refuses `value` (when given) outside the bounds, naming the flag, the value and the range.
    func check(_ value: Value?) throws {
        guard let value else { return }
        let inside = value.isNumber && (lowerIncluded ? value >= lower : value > lower) && value <= upper
        guard !inside else { return }
        throw ValidationError(
            "\(flag) \(value.isNumber ? value.boundText : "\(value)") is out of range: use \(rangeText)"
                + (note.map { " (\($0))" } ?? ""))
    }
}

/// Bounds shared by several commands.
enum SharedBounds {
    /// Rows of one forward pass; the memory each needs is checked before the run as well.
    static let batchSize = NumericBound("--batch-size", 1...4096)
    /// Timed repetitions of a benchmark.
    static let repeats = NumericBound("--repeats", 1...1000)
    static let seed = NumericBound("--seed", UInt64(0)...UInt64.max)
}
