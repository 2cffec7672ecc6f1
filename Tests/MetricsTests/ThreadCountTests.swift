import Testing
import WorkerThreads

import Metrics

/// BLEU's statistics are computed over the worker threads in chunks of segments; every sum over segments is
/// taken afterwards in segment order, so the statistics and the score are the same on 1, 2, 3 or 5 threads
/// (700 segments: enough for several chunks of the 128-segment minimum).
@Test func bleuIsTheSameOnAnyThreadCount() throws {
    let words = ["the", "Eagle", "serves", "French", "food", "near", "Burger", "King", "in", "city", "centre", "."]
    func sentence(_ seed: Int, _ length: Int) -> String {
        (0..<length).map { words[($0 * 7 + seed * 13 + $0 * seed) % words.count] }.joined(separator: " ")
    }
    let hypotheses = (0..<700).map { sentence($0, 5 + $0 % 9) }
    let references = (0..<700).map { [sentence($0 + 1, 6 + $0 % 7), sentence($0 * 3, 4 + $0 % 5)] }
    let bleu = BLEU()
    func run(_ threads: Int) throws -> ([BLEU.Statistics], UInt64) {
        try WorkerThreads.with(count: threads) {
            (
                try bleu.segmentStatistics(hypotheses: hypotheses, references: references),
                try bleu.corpusScore(hypotheses: hypotheses, references: references).score.bitPattern
            )
        }
    }
    let (statistics, score) = try run(1)
    for threads in [2, 3, 5] {
        let (otherStatistics, otherScore) = try run(threads)
        #expect(otherStatistics == statistics && otherScore == score, "\(threads) threads")
    }
}
