import Foundation

/// The peak resident memory of one stretch of a long process — one run of a study — rather than of the
/// process so far. Linux lets a process reset its high-water mark (`/proc/self/clear_refs`, value 5) and read it
/// back (`VmHWM` in `/proc/self/status`); elsewhere the process peak (`ru_maxrss`) is all there is, and the
/// window says so.
public struct PeakMemoryWindow: Sendable {
    /// Whether the mark was reset when the window opened (false: readings are the process peak).
    public let isolated: Bool

    /// Opens a window: resets the high-water mark where the system allows it.
    public init() {
        isolated = (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
    }

    /// Peak resident MiB since the window opened (or of the process, when not `isolated`).
    public var peakMiB: Double {
        guard isolated, let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return ProcessUsage.peakResidentMiB() }
        return kib / 1024
    }
}
