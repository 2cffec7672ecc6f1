import Foundation
import GPT2
import TextIO

/// What a run is about to allocate, checked against the memory the machine has left *before* anything large is
/// allocated: a too-large allocation is otherwise a crash ("failed to allocate … bytes", exit 134) or, with
/// the kernel's overcommit, the out-of-memory killer minutes later. The estimates are upper bounds of the big
/// buffers (key/value cache, activations, logits), not of every small array. (GPT2's `MemoryBudget` checks a
/// model's own weights against the physical memory when it loads; this is the memory of what a run does with it.)
public struct MemoryEstimate: Sendable, Equatable {
    /// The buffers, named as the message shows them ("key/value cache"), with their sizes in bytes.
    public var parts: [(name: String, bytes: Int)]

    public init(_ parts: [(name: String, bytes: Int)] = []) { self.parts = parts }

    public static func == (a: Self, b: Self) -> Bool {
        a.parts.map(\.name) == b.parts.map(\.name) && a.parts.map(\.bytes) == b.parts.map(\.bytes)
    }

    /// The sum, saturating at `Int.max` (absurd flags give absurd sizes, never an overflow trap).
    public var total: Int { parts.reduce(0) { Self.add($0, $1.bytes) } }

    /// Refuses the run when it needs more than `available` bytes; `what` says what is being run ("decoding
    /// 8 prompts × 5 beams") and `hint` which flags make it smaller.
    public func check(_ what: String, hint: String, available: Int = MemoryEstimate.available()) throws(LNTuneError) {
        guard total > available else { return }
        let shown = parts.filter { $0.bytes > 0 }.map { "\($0.name) \(NumberText.bytes($0.bytes))" }
        throw .notEnoughMemory(
            what: what, needed: total, available: available, parts: shown.joined(separator: ", "), hint: hint)
    }

    /// Bytes the process can still allocate without swapping: Linux's `MemAvailable`, lowered to the cgroup's
    /// limit when one is set; elsewhere the physical memory (GPT2's `MemoryBudget`, which loading checks against).
    public static func available() -> Int {
        var bytes = MemoryBudget.physicalBytes ?? Int(clamping: ProcessInfo.processInfo.physicalMemory)
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        {
            bytes = kilobytes * 1024
        }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
            let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            let used =
                (try? String(contentsOfFile: "/sys/fs/cgroup/memory.current", encoding: .utf8)).flatMap {
                    Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
                } ?? 0
            bytes = min(bytes, max(0, limit - used))
        }
        return bytes
    }

    /// `a × b × …` in bytes of `Float`s, saturating at `Int.max`.
    public static func floats(_ factors: Int...) -> Int {
        factors.reduce(MemoryLayout<Float>.size) { multiply($0, $1) }
    }

    /// `a × b`, saturating at `Int.max` (absurd flags give absurd sizes, never an overflow trap).
    public static func multiply(_ a: Int, _ b: Int) -> Int { CheckedSize.product(a, max(0, b)) ?? .max }

    /// `a + b`, saturating at `Int.max`.
    public static func add(_ a: Int, _ b: Int) -> Int { CheckedSize.sum(a, b) ?? .max }
}

extension MemoryEstimate {
    /// A key/value cache of `rows` rows of `slots` slots (`KVCache`: keys and values of every layer).
    public static func cache(_ config: GPT2Config, rows: Int, slots: Int) -> Int {
        floats(2, config.nLayer, rows, slots, config.nEmbd)
    }

    /// The activations of one forward over `rows × length` tokens that sees `keys` slots (GPT2's `Activations`
    /// layout: at inference one buffer per view reused by every layer; with `training` every layer's inputs,
    /// the attention probabilities and the backward's scratch).
    public static func activations(_ config: GPT2Config, rows: Int, length: Int, keys: Int, training: Bool) -> Int {
        let (c, h, layers) = (config.nEmbd, config.innerSize, config.nLayer)
        let n = multiply(rows, length)
        let headChunk = 128
        let head = floats(headChunk, 2 * c + config.vocabSize)
        guard training else { return add(floats(n, 8 * c + h + 6), head) }
        let perLayer = floats(layers, n, 8 * c + 2 * h + 4)
        let probabilities = floats(layers, rows, config.nHead, length, keys)
        let scratch = add(floats(n, 7 * c + 2 * h + 2), floats(2, rows, keys, c))
        return add(add(add(perLayer, probabilities), add(scratch, floats(n, c))), head)
    }

    /// `rows` rows of logits over the vocabulary.
    public static func logits(_ config: GPT2Config, rows: Int) -> Int { floats(rows, config.vocabSize) }
}
