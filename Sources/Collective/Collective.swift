/// The processes of one run and the messages they exchange: one process (`SingleProcess`), or the ranks of an
/// `mpirun` job (`MPIProcesses`, with the `MPI` trait).
///
/// Only point-to-point messages and a broadcast: the data-parallel fold passes a partial sum from rank to rank
/// in rank order (so the sums are added in the order one process adds them) and the last rank broadcasts the
/// result. Calls block; one thread at a time may call (the worker threads never do).
public protocol Collective: AnyObject, Sendable {
    /// This process's index, 0 ..< `size`; rank 0 writes the run's files and prints.
    var rank: Int { get }
    /// Processes in the run.
    var size: Int { get }
    /// The host each rank runs on, in rank order (for the start-up lines).
    var hosts: [String] { get }

    /// Sends `bytes` to `rank` (returns once the buffer may be reused).
    func send(_ bytes: UnsafeRawBufferPointer, to rank: Int) throws(CollectiveError)
    /// Receives exactly `bytes.count` bytes from `rank`.
    func receive(into bytes: UnsafeMutableRawBufferPointer, from rank: Int) throws(CollectiveError)
    /// Overwrites `bytes` on every rank with `root`'s.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws(CollectiveError)
    /// Ends the exchange after a run that succeeded on every rank (`MPI_Finalize`; nothing for one process).
    func finish()
    /// Ends every process of the run with `status` (after this rank printed why).
    func abort(status: Int32) -> Never
}

/// A failed exchange: which call, and the library's words for it.
public enum CollectiveError: Error, Equatable, CustomStringConvertible {
    case call(name: String, code: Int32, message: String)
    case noPeer(rank: Int, size: Int)
    case sizeMismatch(what: String, expected: Int, received: Int)

    public var description: String {
        switch self {
        case let .call(name, code, message):
            return "\(name) failed (\(code)): \(message) — another rank probably stopped; see its message"
        case let .noPeer(rank, size):
            return "no process of rank \(rank) in a run of \(size) (a bug: please report it)"
        case let .sizeMismatch(what, expected, received):
            return "\(what): expected \(expected) bytes, received \(received) (do all ranks run the same command?)"
        }
    }
}

extension Collective {
    public var isRoot: Bool { rank == 0 }

    /// Sends the values of `values` (their bytes).
    public func send<T: BitwiseCopyable>(_ values: [T], to rank: Int) throws(CollectiveError) {
        // (`withUnsafeBytes` rethrows untyped: the typed error travels in a Result.)
        try values.withUnsafeBytes { b in Result { () throws(CollectiveError) in try send(b, to: rank) } }.get()
    }

    /// Receives `count` values.
    public func receive<T: BitwiseCopyable>(_ type: T.Type, count: Int, from rank: Int) throws(CollectiveError) -> [T] {
        let raw = UnsafeMutableRawBufferPointer.allocate(
            byteCount: count * MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment)
        defer { raw.deallocate() }
        try receive(into: raw, from: rank)
        return Array(raw.bindMemory(to: T.self))
    }

    /// `values` from `root`, of the same count on every rank.
    public func broadcast<T: BitwiseCopyable>(_ values: inout [T], root: Int) throws(CollectiveError) {
        try values.withUnsafeMutableBytes { b in
            Result { () throws(CollectiveError) in try broadcast(b, root: root) }
        }.get()
    }

    /// A byte string of any length from `root` (its length first); every other rank passes anything.
    public func broadcast(bytes: [UInt8], root: Int) throws(CollectiveError) -> [UInt8] {
        var length = [bytes.count]
        try broadcast(&length, root: root)
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: length[0])
        try broadcast(&result, root: root)
        return result
    }

    /// Sends a byte string of any length (its length first) to `rank`.
    public func send(bytes: [UInt8], to rank: Int) throws(CollectiveError) {
        try send([bytes.count], to: rank)
        try send(bytes, to: rank)
    }

    /// Receives a byte string sent by `send(bytes:to:)`.
    public func receiveBytes(from rank: Int) throws(CollectiveError) -> [UInt8] {
        let length = try receive(Int.self, count: 1, from: rank)[0]
        return try receive(UInt8.self, count: length, from: rank)
    }
}
