#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What this process has used so far, from the kernel's own counters (no files parsed).
public enum ProcessUsage {
    /// User + system CPU seconds of every thread of this process so far.
    public static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Peak resident memory of this process so far, in MiB: `getrusage`'s `ru_maxrss`, the same high-water
    /// mark Linux shows as `VmHWM` in /proc/self/status (Linux counts it in KiB, macOS in bytes).
    public static func peakResidentMiB() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_maxrss) / 1024
        #else
            getrusage(RUSAGE_SELF, &usage)
            return Double(usage.ru_maxrss) / (1024 * 1024)
        #endif
    }
}
