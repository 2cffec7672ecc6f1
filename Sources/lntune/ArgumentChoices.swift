import ArgumentParser
import LNTune

// The choice-valued options parse straight into the library's own types, so `--help` lists the choices from
// code ("values: …") and a wrong value is refused once, by the parser, with the list. Types whose library
// parser accepts more spellings than the canonical names (any letter case) keep that parser.

extension DatasetTask: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(name: argument) }
}

extension TrainingTask: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(name: argument) }
    public static var allValueStrings: [String] { names }
    public var defaultValueDescription: String { description }
}

extension OnBadRow: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}
extension LearningRateShape: ExpressibleByArgument {}
extension SpecialTokenPolicy: ExpressibleByArgument {}
extension DecodingChoice.Mode: ExpressibleByArgument {}
extension BLEUTokenizer: ExpressibleByArgument {}
extension BLEUSmoothing: ExpressibleByArgument {}

extension GenerationPreset: ExpressibleByArgument {
    public init?(argument: String) {
        guard let preset = try? Self.named(argument) else { return nil }
        self = preset
    }
    public static var allValueStrings: [String] { all.map(\.name) }
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.summary) })
    }
    public var defaultValueDescription: String { name }
}

extension EarlyStopping: ExpressibleByArgument {
    /// transformers' spellings: `true` (stop at `num_beams` finished), `false` (the heuristic), `never`.
    public init?(argument: String) {
        guard let rule = try? DecodingChoice.earlyStopping(argument) else { return nil }
        self = rule
    }
    public static var allValueStrings: [String] { ["true", "false", "never"] }
}

/// `--metrics bleu,rouge`: a comma-separated list of metric names. The parser keeps the text as given and
/// `ScoreCommand.validate()` refuses a bad list with the reason (an empty list, an empty or unknown name, a name
/// twice), which a failing `init?(argument:)` could not say.
struct MetricList: ExpressibleByArgument {
    var text: String

    init(_ names: [MetricName]) { text = names.map(\.rawValue).joined(separator: ",") }
    init?(argument: String) { text = argument }
    /// The metrics, or the reason the list is refused.
    func names() throws -> [MetricName] { try MetricName.parseList(text) }
    static var allValueStrings: [String] { MetricName.allCases.map(\.rawValue) }
    var defaultValueDescription: String { text }
}
