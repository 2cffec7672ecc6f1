#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A run of one process: nothing to exchange. A broadcast leaves the values as they are; there is no one to
/// send to.
public final class SingleProcess: Collective {
    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var hosts: [String] { [hostName()] }

    public func send(_ bytes: UnsafeRawBufferPointer, to rank: Int) throws(CollectiveError) {
        throw .noPeer(rank: rank, size: 1)
    }

    public func receive(into bytes: UnsafeMutableRawBufferPointer, from rank: Int) throws(CollectiveError) {
        throw .noPeer(rank: rank, size: 1)
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws(CollectiveError) {
        guard root == 0 else { throw .noPeer(rank: root, size: 1) }
    }

    public func finish() {}

    public func abort(status: Int32) -> Never { exit(status) }
}

/// This machine's host name (the rank layout's).
func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
