import Foundation
import TestSupport

/// Decoding of the tables written by eval/reference/make_metric_fixtures.py, and the comparison rule.
enum MetricFixtures {
    /// Loads `Tests/Fixtures/metrics/<name>.json` once per type.
    static func load<T: Decodable>(_ type: T.Type, _ name: String) -> T {
        do {
            return try Fixtures.json(T.self, "metrics/\(name).json")
        } catch {
            // A missing or stale fixture is a test failure, reported by the first test that decodes it.
            preconditionFailure("cannot decode Tests/Fixtures/metrics/\(name).json: \(error)")
        }
    }
}

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
