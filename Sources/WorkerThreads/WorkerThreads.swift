#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many threads LNTune's parallel work runs on — the kernels and the metric statistics: `LNTUNE_THREADS`
/// when it is set, else one per online processor. Tests run a block of code with another count through
/// `with(count:_:)`, which holds for the calling task only (other tests running meanwhile keep theirs).
///
/// No result depends on this count: every reduction has a structure fixed by the data (fixed-size blocks
/// added in block order), and the threads only decide who computes which block. So a run gives the same
/// bits with 1, 2 or 64 threads, on any number of cores.
public enum WorkerThreads {
    public static let environmentVariable = "LNTUNE_THREADS"
    /// The largest count accepted (more threads than this is a typo, not a machine).
    public static let maximum = 1024

    /// The thread count in force: the innermost `with(count:_:)`, else the configured one.
    public static var count: Int { scoped ?? configured }

    /// `LNTUNE_THREADS` when it holds a valid count, else the online processors (the executable rejects an
    /// invalid value at start through `validateEnvironment()`, so it never falls back silently there).
    public static let configured: Int = {
        let fromEnvironment = try? parse(environmentValue)
        return (fromEnvironment ?? nil) ?? processors
    }()

    /// The online processors (at least 1).
    public static var processors: Int {
        #if canImport(Glibc) || canImport(Darwin)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return 1
        #endif
    }

    /// Runs `body` with `count` threads (clamped to 1...maximum) for the calling task.
    public static func with<R>(count: Int, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(min(max(count, 1), maximum), operation: body)
    }

    /// Throws when `LNTUNE_THREADS` is set to something that is not a thread count.
    public static func validateEnvironment() throws(InvalidThreadCount) {
        _ = try parse(environmentValue)
    }

    /// The count `text` names: nil for nil or blank text, a whole number from 1 to `maximum`, else an error.
    public static func parse(_ text: String?) throws(InvalidThreadCount) -> Int? {
        guard let text else { return nil }
        let trimmed = text.trimmingWhitespace
        if trimmed.isEmpty { return nil }
        guard let value = Int(trimmed), (1...maximum).contains(value) else { throw InvalidThreadCount(value: text) }
        return value
    }

    @TaskLocal static var scoped: Int?

    static var environmentValue: String? { getenv(environmentVariable).map { String(cString: $0) } }
}

/// `LNTUNE_THREADS` holds something other than a thread count.
public struct InvalidThreadCount: Error, CustomStringConvertible, Equatable {
    public let value: String

    public init(value: String) { self.value = value }

    public var description: String {
        "\(WorkerThreads.environmentVariable)=\"\(value)\" is not a thread count: use a whole number from 1 to "
            + "\(WorkerThreads.maximum), or unset it for one thread per processor"
    }
}

extension String {
    fileprivate var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
