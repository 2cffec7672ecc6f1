import Foundation
import WorkerThreads

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

    /// The largest hypothesis × reference table an alignment metric (ROUGE-L, ROUGE-Lsum, TER) may build
    /// for one pair: about 7,000 × 7,000 tokens, 200–400 MB and a fraction of a second. A longer pair is not a
    /// sentence or a summary but a file pasted into one line, whose table would take hours and terabytes.
    static let maximumAlignmentCells = 50_000_000

    /// Refuses a pair whose alignment table would exceed `maximumAlignmentCells`.
    static func checkAlignment(segment: Int, metric: MetricName, hypothesis: Int, reference: Int) throws {
        let (cells, overflow) = hypothesis.multipliedReportingOverflow(by: reference)
        guard overflow || cells > maximumAlignmentCells else { return }
        throw MetricsError.segmentTooLong(
            segment: segment, metric: metric, hypothesisTokens: hypothesis, referenceTokens: reference)
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

/// Splits per-segment work over the worker threads (`LNTUNE_THREADS`, or one per processor): contiguous
/// chunks, each with its own state (vocabulary, tables) so nothing mutable is shared, results in segment
/// order. Segment statistics do not depend on how the corpus is chunked, and every sum over segments is
/// taken afterwards in segment order, so the scores are the same for any thread count.
enum ParallelSegments {
    static func map<T: Sendable>(
        count: Int, minimumChunk: Int = 128, _ body: @Sendable (Range<Int>) throws -> [T]
    ) throws -> [T] {
        let chunks = Swift.max(1, Swift.min(WorkerThreads.count, count / minimumChunk))
        if chunks == 1 { return try body(0..<count) }
        let bounds = (0...chunks).map { $0 * count / chunks }
        var results = [Result<[T], Error>?](repeating: nil, count: chunks)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { k in
                slots[k] = Result { try body(bounds[k]..<bounds[k + 1]) }
            }
        }
        var out = [T]()
        out.reserveCapacity(count)
        for result in results { if let result { out += try result.get() } }
        return out
    }
}
