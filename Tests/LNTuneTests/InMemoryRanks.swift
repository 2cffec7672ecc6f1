import Collective
import Foundation

/// The ranks of a data-parallel run as threads of this process, passing messages through queues: the
/// data-parallel code paths (the rank-to-rank fold, sharded dev loss, rank 0 alone writing) run in the default
/// test suite, without Open MPI. Each ordered pair of ranks has one FIFO channel for sends and one for
/// broadcasts, as MPI keeps point-to-point and collective traffic apart.
final class InMemoryRanks: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var channels: [String: [[UInt8]]] = [:]

    init(size: Int) { self.size = size }

    /// The handle of `rank`, to give its trainer.
    func rank(_ rank: Int) -> any Collective { Member(rank: rank, shared: self) }

    fileprivate func put(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int, kind: String) {
        condition.lock()
        channels["\(kind) \(from)→\(to)", default: []].append(Array(bytes))
        condition.broadcast()
        condition.unlock()
    }

    fileprivate func take(into bytes: UnsafeMutableRawBufferPointer, from: Int, to: Int, kind: String)
        throws(CollectiveError)
    {
        let key = "\(kind) \(from)→\(to)"
        condition.lock()
        defer { condition.unlock() }
        // A peer that failed never sends: give up after a minute rather than hang the test run.
        let deadline = Date().addingTimeInterval(60)
        while channels[key, default: []].isEmpty {
            guard condition.wait(until: deadline) else {
                throw .call(name: "receive", code: -1, message: "nothing from rank \(from) within 60 s")
            }
        }
        let message = channels[key, default: []].removeFirst()
        guard message.count == bytes.count else {
            throw .sizeMismatch(what: "\(kind) from rank \(from)", expected: bytes.count, received: message.count)
        }
        message.withUnsafeBytes { bytes.copyMemory(from: $0) }
    }

    private final class Member: Collective, @unchecked Sendable {
        let rank: Int
        let shared: InMemoryRanks
        var size: Int { shared.size }
        var hosts: [String] { (0..<shared.size).map { "thread-\($0)" } }

        init(rank: Int, shared: InMemoryRanks) {
            self.rank = rank
            self.shared = shared
        }

        func send(_ bytes: UnsafeRawBufferPointer, to rank: Int) throws(CollectiveError) {
            shared.put(bytes, from: self.rank, to: rank, kind: "send")
        }

        func receive(into bytes: UnsafeMutableRawBufferPointer, from rank: Int) throws(CollectiveError) {
            try shared.take(into: bytes, from: rank, to: self.rank, kind: "send")
        }

        func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws(CollectiveError) {
            if rank == root {
                for other in 0..<size where other != root {
                    shared.put(UnsafeRawBufferPointer(bytes), from: root, to: other, kind: "broadcast")
                }
            } else {
                try shared.take(into: bytes, from: root, to: rank, kind: "broadcast")
            }
        }

        func finish() {}

        func abort(status: Int32) -> Never {
            // Never called by the trainer itself (only the lntune command aborts), so a test that gets here is wrong.
            preconditionFailure("InMemoryRanks: abort(\(status)) from rank \(rank)")
        }
    }
}

/// Runs `body(rank)` for every rank on its own thread and returns the results in rank order (errors as
/// thrown by each rank).
func onEveryRank<T: Sendable>(_ size: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, Error>] {
    let results = ResultBox<T>(count: size)
    let group = DispatchGroup()
    for rank in 0..<size {
        let thread = Thread {
            results.set(rank, Result { try body(rank) })
            group.leave()
        }
        thread.stackSize = 8 << 20
        group.enter()
        thread.start()
    }
    group.wait()
    return results.all
}

private final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<T, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<T, Error>) { lock.withLock { values[i] = value } }
    var all: [Result<T, Error>] { lock.withLock { values.compactMap { $0 } } }
}
