/// Input checks shared by every corpus-level metric, and sacreBLEU's signature format.
enum Corpus {
    /// One reference list per hypothesis, at least one segment, at least one reference per segment.
    static func check(hypotheses: [String], references: [[String]]) throws {
        guard hypotheses.count == references.count else {
            throw MetricsError.countMismatch(hypotheses: hypotheses.count, references: references.count)
        }
        guard !hypotheses.isEmpty else { throw MetricsError.emptyCorpus }
        if let index = references.firstIndex(where: \.isEmpty) { throw MetricsError.noReferences(segment: index) }
    }
}

/// sacreBLEU's `Signature.format`: `nrefs` first, the metric's own fields, `version` last.
enum SacreBLEUSignature {
    static let version = "2.6.0"

    /// The reference count, or `var` when segments have different counts (sacreBLEU's `num_refs == -1`).
    static func nrefs(_ references: [[String]]) -> String {
        let counts = Set(references.map(\.count))
        return counts.count == 1 ? "\(counts.first ?? 0)" : "var"
    }

    static func format(nrefs: String, fields: [(String, String)]) -> String {
        (["nrefs:\(nrefs)"] + fields.map { "\($0.0):\($0.1)" } + ["version:\(version)"]).joined(separator: "|")
    }
}
