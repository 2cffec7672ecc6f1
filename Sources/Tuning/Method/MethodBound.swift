/// The values one numeric method option accepts (`--lora-r`, `--adapter-reduction-factor`), stated once for
/// both places that need them — the lntune CLI's `NumericBound` pattern for options the Tuning target parses:
/// `help` appends the range to the option's help (so `lntune train --help` lists it) and `check` refuses a value
/// outside it with `invalidOption` naming the option, which the CLI turns into a usage error (exit status 64)
/// before anything is loaded.
///
/// Bounds keep an option inside what the code can do in reasonable memory and time; what depends on the model
/// (LoRA targets, blocks left out) is checked again by `validate(for:)`.
public struct MethodBound: Sendable {
    public let name: String
    let lower: Double
    let lowerIncluded: Bool
    let upper: Double
    let upperIncluded: Bool
    /// A whole number (`--lora-r`) or any finite number.
    let whole: Bool

    /// A whole number from `range.lowerBound` to `range.upperBound`.
    init(_ name: String, _ range: ClosedRange<Int>) {
        (self.name, lower, lowerIncluded, upper, upperIncluded, whole) = (
            name, Double(range.lowerBound), true, Double(range.upperBound), true, true
        )
    }

    /// A finite number between `lower` and `upper`, each end included or not.
    init(
        _ name: String, from lower: Double, included lowerIncluded: Bool, to upper: Double, included upperIncluded: Bool
    ) {
        (self.name, self.lower, self.lowerIncluded, self.upper, self.upperIncluded, whole) = (
            name, lower, lowerIncluded, upper, upperIncluded, false
        )
    }

    /// "1 to 4,096", "more than 0, at most 1,000,000", "at least 0, less than 1".
    public var rangeText: String {
        let (low, high) = (Self.text(lower), Self.text(upper))
        switch (lowerIncluded, upperIncluded) {
        case (true, true): return "\(low) to \(high)"
        case (false, true): return "more than \(low), at most \(high)"
        case (true, false): return "at least \(low), less than \(high)"
        case (false, false): return "more than \(low), less than \(high)"
        }
    }

    /// `text` followed by the accepted values, for `MethodOption(help:)`.
    func help(_ text: String) -> String { "\(text) Range: \(rangeText)." }

    /// Whether `value` is inside the bounds.
    func contains(_ value: Double) -> Bool {
        value.isFinite && (lowerIncluded ? value >= lower : value > lower)
            && (upperIncluded ? value <= upper : value < upper)
    }

    /// Refuses `value` outside the bounds, naming the option, the value and the range.
    func check(_ value: Double) throws(TuningError) {
        guard contains(value) else { throw outOfRange(Self.text(value)) }
    }

    /// The option's value in `arguments` (nil when not given): a number inside the bounds, or `invalidOption`.
    func read(_ arguments: MethodArguments) throws(TuningError) -> Double? {
        guard let text = arguments.string(name) else { return nil }
        guard let value = Double(text), value.isFinite, !whole || value == value.rounded() else {
            throw .invalidOption(
                name: name, value: text, hint: "expected \(whole ? "a whole number" : "a number"), \(rangeText)")
        }
        guard contains(value) else { throw outOfRange(text) }
        return value
    }

    func outOfRange(_ value: String) -> TuningError {
        .invalidOption(name: name, value: value, hint: "out of range: use \(rangeText)")
    }

    /// Whole numbers grouped by thousands (4,096), others as Swift prints them (0.5).
    static func text(_ value: Double) -> String {
        guard value.isFinite, value == value.rounded(), abs(value) < 1e15 else { return "\(value)" }
        var digits = String(Int(abs(value)))
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(digits.suffix(3), at: 0)
            digits.removeLast(3)
        }
        groups.insert(Substring(digits), at: 0)
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
