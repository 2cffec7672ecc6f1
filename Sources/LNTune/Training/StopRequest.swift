import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request to stop a run at the next step boundary, settable from any thread (a signal handler, another
/// task, a test). The trainer checks it between steps, writes a checkpoint and returns `.interrupted`.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var why: String?

    public init() {}

    /// Asks the run to stop; the first reason given is kept.
    public func request(_ reason: String) {
        lock.withLock { if why == nil { why = reason } }
    }

    public var reason: String? { lock.withLock { why } }
    public var isRequested: Bool { reason != nil }
}

/// Turns SIGINT (Ctrl-C) and SIGTERM into a `StopRequest`, so an interrupted run checkpoints and exits
/// cleanly instead of dying mid-step. A second signal of either kind ends the process at once (the default
/// action), for when a user really wants out; the checkpoint files are replaced atomically, so that cannot
/// leave a torn file.
///
/// The default handlers are ignored first (`signal(SIG_IGN)`), then dispatch sources receive the signals on
/// a background queue; the training loop itself never runs in signal context. Keep the trap alive for the
/// run; `uninstall()` (or deinit) restores the default actions.
public final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var received: [Int32] = []
    public static let signals: [Int32] = [SIGINT, SIGTERM]

    /// Installs the handlers; `notice` is called once, on the first signal (to tell the user what happens).
    public init(stop: StopRequest, notice: @escaping @Sendable (Int32) -> Void = { _ in }) {
        let queue = DispatchQueue(label: "lntune.signals")
        for number in Self.signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let first = self.lock.withLock {
                    self.received.append(number)
                    return self.received.count == 1
                }
                if first {
                    stop.request(Self.name(number))
                    notice(number)
                } else {
                    // A second signal: leave now, with the default action of the signal just received.
                    signal(number, SIG_DFL)
                    raise(number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    public var firstSignal: Int32? { lock.withLock { received.first } }

    public func uninstall() {
        for source in sources { source.cancel() }
        sources = []
        for number in Self.signals { signal(number, SIG_DFL) }
    }

    deinit { uninstall() }

    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(number)"
        }
    }

    /// The conventional exit status of a process stopped by `number` (128 + the signal number).
    public static func exitStatus(_ number: Int32) -> Int32 { 128 + number }
}
