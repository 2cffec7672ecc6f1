import Foundation
import TextIO

/// Progress of a dataset run on stderr: on a terminal a bar redrawn in place with examples/s and the time left;
/// otherwise a plain line at every tenth of the work (logs stay short). `finish` prints the tokens/s line.
public final class GenerationProgress {
    /// Examples in the run (set by `DatasetRunRequest` once the file is loaded).
    public var total: Int
    private let terminal: Bool
    private let start = Date()
    private var nextLine = 0
    /// Examples a resumed run had already done (not part of the rate).
    private var resumedFrom = 0
    private let write: (String) -> Void

    public init(
        total: Int, terminal: Bool = isatty(STDERR_FILENO) == 1,
        write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.total = total
        self.terminal = terminal
        self.write = write
    }

    /// Starts the count at `examples` done by an interrupted run (say so once when there are any).
    public func resume(from examples: Int) {
        resumedFrom = examples
        nextLine = examples
        if examples > 0 {
            write("resuming: \(NumberText.count(examples, "example")) of \(NumberText.grouped(total)) already done\n")
        }
    }

    /// Call after each batch.
    public func update(examples: Int, newTokens: Int) {
        let seconds = max(Date().timeIntervalSince(start), 1e-9)
        let rate = Double(examples - resumedFrom) / seconds
        let left = rate > 0 ? Double(total - examples) / rate : 0
        let status =
            "\(NumberText.grouped(examples))/\(NumberText.count(total, "example"))  \(Self.format(rate)) examples/s  \(Self.format(Double(newTokens) / seconds)) tokens/s  left \(Self.duration(left))"
        if terminal {
            let width = 30
            let filled = total > 0 ? width * examples / total : width
            write(
                "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                    + status + "\u{1B}[K")
        } else if examples >= nextLine || examples == total {
            write(status + "\n")
            nextLine = examples + max(1, total / 10)
        }
    }

    /// The final line: examples and new tokens per second over this run (a resumed run's earlier part left out).
    public func finish(examples: Int, newTokens: Int) {
        let seconds = max(Date().timeIntervalSince(start), 1e-9)
        if terminal { write("\n") }
        write(Self.summary(examples: examples - resumedFrom, newTokens: newTokens, seconds: seconds) + "\n")
    }

    public static func summary(examples: Int, newTokens: Int, seconds: Double) -> String {
        "generated \(NumberText.count(newTokens, "token")) for \(NumberText.count(examples, "example")) in \(format(seconds)) s: "
            + "\(format(Double(newTokens) / seconds)) tokens/s, \(format(Double(examples) / seconds)) examples/s"
    }

    static func format(_ x: Double) -> String { String(format: x >= 100 ? "%.0f" : "%.1f", x) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
