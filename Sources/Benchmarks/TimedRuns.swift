import ResourceUsage

/// The timed runs of one measurement. Benchmarks report the best run (on a shared machine the fastest run is
/// the one least disturbed by other processes) and, where asked, the median.
public struct TimedRuns: Sendable, Equatable {
    public private(set) var runs: [Elapsed] = []

    public init() {}

    /// Times `repeats` runs of `body` (at least one), after one untimed run when `warmUp` is set (first touch of
    /// buffers, BLAS thread start).
    public static func measure<Failure: Error>(
        repeats: Int, warmUp: Bool = false, _ body: () throws(Failure) -> Void
    ) throws(Failure) -> TimedRuns {
        if warmUp { try body() }
        var timed = TimedRuns()
        for _ in 0..<max(repeats, 1) { try timed.time(body) }
        return timed
    }

    /// Times one run of `body` and adds it: for measurements interleaved with others.
    public mutating func time<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        let (result, elapsed) = try Stopwatch.measure(body)
        runs.append(elapsed)
        return result
    }

    /// Adds a run timed elsewhere.
    public mutating func append(_ run: Elapsed) { runs.append(run) }

    public var wallSeconds: [Double] { runs.map(\.wallSeconds) }
    /// The fastest run's wall time; infinite before any run.
    public var bestWallSeconds: Double { wallSeconds.min() ?? .infinity }
    /// The smallest CPU time of any run (not necessarily the fastest run's); infinite before any run.
    public var bestCPUSeconds: Double { runs.map(\.cpuSeconds).min() ?? .infinity }
    /// The median wall time (the upper one of an even count); NaN before any run.
    public var medianWallSeconds: Double {
        let sorted = wallSeconds.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }
}
