import Foundation
import TextIO

/// Progress of a long count on stderr ("1,200/5,000 lines"), for work that can take minutes: redrawn in place
/// on a terminal at most a few times a second, otherwise a line at every tenth of the work. Nothing is shown
/// for work that ends within the first two seconds.
final class LineProgress: @unchecked Sendable {
    private let noun: String
    private let terminal = isatty(STDERR_FILENO) == 1
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var nextTenth = 0
    private var drawn = false

    init(noun: String) { self.noun = noun }

    /// Call with the amount done and the total.
    func update(_ done: Int, _ total: Int) {
        let now = Date()
        guard now.timeIntervalSince(start) >= 2 else { return }
        let text = "\(NumberText.grouped(done))/\(NumberText.count(total, noun))"
        if terminal {
            guard now.timeIntervalSince(lastDraw) >= 0.25 || done == total else { return }
            FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
            lastDraw = now
            drawn = true
        } else if done >= nextTenth || done == total {
            FileHandle.standardError.write(Data((text + "\n").utf8))
            nextTenth = done + max(1, total / 10)
        }
    }

    /// Ends the line redrawn in place.
    func finish() {
        if terminal && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
