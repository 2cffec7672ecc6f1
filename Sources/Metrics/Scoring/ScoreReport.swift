import Foundation
import TextIO

/// The result of a scoring run: corpus scores with their signatures, optionally per-example scores.
/// Values are on each tool's own scale: BLEU, chrF and TER in [0, 100], ROUGE in [0, 1], NIST and CIDEr raw.
public struct ScoreReport: Codable, Equatable, Sendable {
    public struct Metric: Codable, Equatable, Sendable {
        public var name: String
        public var score: Double
        /// The settings that produced the score (sacreBLEU's signature format where it has one).
        public var signature: String
        /// A one-line breakdown (BLEU's precisions, brevity penalty and lengths).
        public var summary: String?
        public var details: [String: Double]
    }

    public var segments: Int
    public var metrics: [Metric]
    /// One dictionary per example: metric name → sentence-level score.
    public var perExample: [[String: Double]]?

    public init(segments: Int, metrics: [Metric], perExample: [[String: Double]]? = nil) {
        self.segments = segments
        self.metrics = metrics
        self.perExample = perExample
    }

    /// Pretty-printed JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Python's json spelling; no metric is expected to be non-finite, but a report must never fail to print.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A readable table: one row per metric, the breakdown below BLEU, then per-example rows if present.
    public func table() -> String {
        var lines = [NumberText.count(segments, "segment"), ""]
        let width = Swift.max(8, metrics.map(\.name.count).max() ?? 0)
        lines.append(pad("metric", width) + "  " + pad("score", 9, left: true) + "  signature")
        for metric in metrics {
            lines.append(
                pad(metric.name, width) + "  " + pad(format(metric.score), 9, left: true) + "  " + metric.signature)
            if let summary = metric.summary { lines.append(String(repeating: " ", count: width + 13) + summary) }
            if let low = metric.details["fmeasure_low"], let high = metric.details["fmeasure_high"] {
                lines.append(
                    String(repeating: " ", count: width + 13) + "95% CI of F: [\(format(low)), \(format(high))]")
            }
        }
        if let examples = perExample, let first = examples.first {
            let order = ["bleu", "rouge1", "rouge2", "rougeL", "rougeLsum", "nist", "cider", "ter", "chrf", "chrf++"]
            let names = order.filter { first[$0] != nil }
            lines.append("")
            lines.append(pad("#", 6) + names.map { pad($0, 10, left: true) }.joined())
            for (k, example) in examples.enumerated() {
                lines.append(
                    pad("\(k + 1)", 6) + names.map { pad(example[$0].map(format) ?? "-", 10, left: true) }.joined())
            }
        }
        return lines.joined(separator: "\n")
    }

    private func format(_ value: Double) -> String { NumberText.decimal(value, digits: 4) }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: Swift.max(0, width - text.count))
        return left ? fill + text : text + fill
    }
}
