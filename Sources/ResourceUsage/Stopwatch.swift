#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock and process CPU seconds of one measured stretch of code.
///
/// Both are kept because the machines LNTune is measured on are shared: other processes' load inflates the
/// wall time of a run, much less its CPU time (which counts every thread of this process).
public struct Elapsed: Sendable, Equatable {
    public var wallSeconds: Double
    public var cpuSeconds: Double

    public init(wallSeconds: Double, cpuSeconds: Double) {
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
    }
}

/// The one stopwatch of the package (the trainer's phase times, every benchmark): started when created,
/// read as often as needed.
public struct Stopwatch: Sendable {
    private var wallStart: UInt64
    private var cpuStart: Double

    /// Starts the stopwatch now.
    public init() {
        wallStart = Self.monotonicNanoseconds()
        cpuStart = ProcessUsage.cpuSeconds()
    }

    /// Seconds of wall-clock time since the start (monotonic: unaffected by clock adjustments).
    public var wallSeconds: Double { Double(Self.monotonicNanoseconds() &- wallStart) / 1e9 }

    /// Wall and process CPU seconds since the start.
    public var elapsed: Elapsed {
        Elapsed(wallSeconds: wallSeconds, cpuSeconds: ProcessUsage.cpuSeconds() - cpuStart)
    }

    /// The time since the start (or the previous lap), restarting the stopwatch: consecutive stages of one run.
    public mutating func lap() -> Elapsed {
        let now = elapsed
        self = Stopwatch()
        return now
    }

    /// Runs `body` once and returns its result with the time it took.
    public static func measure<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> (result: Result, elapsed: Elapsed) {
        let stopwatch = Stopwatch()
        let result = try body()
        return (result, stopwatch.elapsed)
    }

    /// CLOCK_MONOTONIC in nanoseconds (what `DispatchTime.now().uptimeNanoseconds` reads, without Dispatch).
    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
