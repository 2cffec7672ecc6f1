import Foundation

// The tables written by eval/reference/make_metric_fixtures.py, read through TestSupport's `FixtureTable`
// (a missing or truncated table fails the tests over it), and the comparison rule.

/// A corpus stored once in a fixture and named by its cases.
struct FixtureCorpus: Decodable, Sendable {
    var hypotheses: [String]
    var references: [[String]]
}

/// `{"corpora": {...}, "cases": [...]}`.
struct CorpusTable<Case: Decodable & Sendable>: Decodable, Sendable {
    var corpora: [String: FixtureCorpus]
    var cases: [Case]
}

/// Equal to 1e-9 relative (exactly when either side is 0): the parity rule for every floating-point score.
func close(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
    if a == b { return true }
    return abs(a - b) <= tolerance * max(abs(a), abs(b))
}

func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { close($0, $1) } }
