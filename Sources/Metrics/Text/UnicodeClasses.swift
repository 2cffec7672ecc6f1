/// The Unicode general-category classes `\p{P}`, `\p{S}` and `\p{N}` used by sacreBLEU's `intl` tokenizer
/// (through the `regex` module), answered from Swift's own Unicode tables.
///
/// Swift 6.3 ships Unicode 16; the `regex` module in the reference environment ships Unicode 17. They agree
/// on every character Unicode 16 assigns (checked over all code points by `UnicodeParityTests`); the
/// characters first assigned in Unicode 17 are unassigned here and so belong to none of the classes.
public enum UnicodeClasses {
    private enum Class: UInt8 { case other, punctuation, symbol, number }

    /// ASCII answered from a table: the tokenizer's hot path.
    private static let asciiClasses: [Class] = (0..<128).map { classify(UInt32($0)) }

    private static func classify(_ c: UInt32) -> Class {
        guard let scalar = Unicode.Scalar(c) else { return .other }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return .punctuation
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return .symbol
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    @inline(__always)
    private static func classOf(_ c: UInt32) -> Class { c < 128 ? asciiClasses[Int(c)] : classify(c) }

    public static func isPunctuation(_ c: UInt32) -> Bool { classOf(c) == .punctuation }
    public static func isSymbol(_ c: UInt32) -> Bool { classOf(c) == .symbol }
    public static func isNumber(_ c: UInt32) -> Bool { classOf(c) == .number }
}
