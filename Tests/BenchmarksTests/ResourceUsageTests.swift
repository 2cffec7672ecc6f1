import Benchmarks
import ResourceUsage
import Testing

/// The stopwatch and the timed-runs bookkeeping: readings are non-negative and never run backwards, laps restart
/// the count, and best/median come from the recorded runs. No assertion on how long anything takes.
struct ResourceUsageTests {
    @Test func stopwatchReadingsAreNonNegativeAndMonotonic() {
        let stopwatch = Stopwatch()
        let first = stopwatch.elapsed
        var sum = 0.0
        for i in 0..<100_000 { sum += Double(i).squareRoot() }
        let second = stopwatch.elapsed
        #expect(sum > 0)
        #expect(first.wallSeconds >= 0 && first.cpuSeconds >= 0)
        #expect(second.wallSeconds >= first.wallSeconds && second.cpuSeconds >= first.cpuSeconds)
    }

    @Test func measureReturnsTheBodysResult() {
        let (value, elapsed) = Stopwatch.measure { 6 * 7 }
        #expect(value == 42)
        #expect(elapsed.wallSeconds >= 0)
    }

    @Test func lapRestartsTheStopwatch() {
        var stopwatch = Stopwatch()
        let lap = stopwatch.lap()
        #expect(lap.wallSeconds >= 0)
        #expect(stopwatch.wallSeconds >= 0)
    }

    @Test func peakResidentMemoryIsReported() {
        #expect(ProcessUsage.peakResidentMiB() > 0)
        #expect(ProcessUsage.cpuSeconds() > 0)
    }

    /// One warm-up run plus `repeats` timed ones; a repeat count below one still times one run.
    @Test(arguments: [(3, true, 4, 3), (2, false, 2, 2), (0, false, 1, 1)])
    func timedRunsCountsRuns(repeats: Int, warmUp: Bool, calls: Int, timed: Int) {
        var count = 0
        let runs = TimedRuns.measure(repeats: repeats, warmUp: warmUp) { count += 1 }
        #expect(count == calls)
        #expect(runs.runs.count == timed)
        #expect(runs.bestWallSeconds <= runs.medianWallSeconds)
        #expect(runs.bestWallSeconds == runs.wallSeconds.min())
    }

    @Test func bestAndMedianOfRecordedRuns() {
        var runs = TimedRuns()
        #expect(runs.bestWallSeconds == .infinity && runs.medianWallSeconds.isNaN)
        for (wall, cpu) in [(3.0, 1.0), (1.0, 2.0), (2.0, 0.5)] {
            runs.append(Elapsed(wallSeconds: wall, cpuSeconds: cpu))
        }
        #expect(runs.bestWallSeconds == 1 && runs.medianWallSeconds == 2 && runs.bestCPUSeconds == 0.5)
    }
}
