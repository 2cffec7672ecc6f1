import Foundation

/// One TensorBoard `Event` record, encoded by hand: the few fields LNTune writes are five protobuf messages'
/// worth of tags, so a dependency on swift-protobuf (and its ~10-minute plugin build) would buy nothing.
///
/// The encoding follows protobuf's canonical output — fields in number order, proto3 defaults (a zero
/// `wall_time` or `step`) left out, oneof members always written — so the bytes equal those Python's
/// `event_pb2.Event(...).SerializeToString()` gives for the same event (`Tests/Fixtures/tensorboard/`).
///
/// ```
/// message Event { double wall_time = 1; int64 step = 2;
///   oneof what { string file_version = 3; Summary summary = 5; SessionLog session_log = 7; }
///   SourceMetadata source_metadata = 10; }
/// message Summary { repeated Value value = 1; message Value { string tag = 1; float simple_value = 2; } }
/// message SessionLog { enum SessionStatus { START = 1; } SessionStatus status = 1; }
/// message SourceMetadata { string writer = 1; }
/// ```
public struct TensorBoardEvent: Equatable, Sendable {
    public enum Content: Equatable, Sendable {
        /// The first event of every file: `brain.Event:2` tells readers that restarts are marked by `start`.
        case fileVersion(String, writer: String)
        /// Scalars of one step, as `Summary.Value.simple_value` (what `add_scalar` writes).
        case scalars([(tag: String, value: Float)])
        /// `SessionLog.START`: a run resumed here, so readers drop what an earlier session logged at this
        /// step or later (TensorBoard's orphaned-data purge).
        case sessionStart

        public static func == (a: Content, b: Content) -> Bool {
            switch (a, b) {
            case let (.fileVersion(x, w), .fileVersion(y, v)): return x == y && w == v
            case let (.scalars(x), .scalars(y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.tag == $1.tag && $0.value == $1.value }
            case (.sessionStart, .sessionStart): return true
            default: return false
            }
        }
    }

    public var wallTime: Double
    public var step: Int
    public var content: Content

    public init(wallTime: Double, step: Int, content: Content) {
        self.wallTime = wallTime
        self.step = step
        self.content = content
    }

    /// The serialized `Event` message.
    public var protobuf: [UInt8] {
        var out = ProtobufWriter()
        if wallTime != 0 { out.fixed64(field: 1, wallTime.bitPattern) }
        if step != 0 { out.varint(field: 2, UInt64(bitPattern: Int64(step))) }
        switch content {
        case let .fileVersion(version, writer):
            out.bytes(field: 3, Array(version.utf8))
            var source = ProtobufWriter()
            source.bytes(field: 1, Array(writer.utf8))
            out.bytes(field: 10, source.bytes)
        case let .scalars(values):
            var summary = ProtobufWriter()
            for (tag, value) in values {
                var entry = ProtobufWriter()
                if !tag.isEmpty { entry.bytes(field: 1, Array(tag.utf8)) }
                entry.fixed32(field: 2, value.bitPattern)
                summary.bytes(field: 1, entry.bytes)
            }
            out.bytes(field: 5, summary.bytes)
        case .sessionStart:
            var log = ProtobufWriter()
            log.varint(field: 1, 1)
            out.bytes(field: 7, log.bytes)
        }
        return out.bytes
    }

    /// The event in TFRecord framing: length (u64 LE), masked CRC-32C of the length, the data, masked
    /// CRC-32C of the data.
    public var record: [UInt8] {
        let data = protobuf
        var length: [UInt8] = []
        ProtobufWriter.appendLittleEndian(UInt64(data.count), bytes: 8, to: &length)
        var out = length
        ProtobufWriter.appendLittleEndian(UInt64(CRC32C.masked(length)), bytes: 4, to: &out)
        out += data
        ProtobufWriter.appendLittleEndian(UInt64(CRC32C.masked(data)), bytes: 4, to: &out)
        return out
    }
}

/// The protobuf wire format for the three wire types an `Event` needs (varint, 64-bit, length-delimited,
/// 32-bit).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(field: Int, _ value: UInt64) {
        key(field, wireType: 0)
        appendVarint(value)
    }

    mutating func fixed64(field: Int, _ value: UInt64) {
        key(field, wireType: 1)
        Self.appendLittleEndian(value, bytes: 8, to: &bytes)
    }

    mutating func bytes(field: Int, _ value: [UInt8]) {
        key(field, wireType: 2)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    mutating func fixed32(field: Int, _ value: UInt32) {
        key(field, wireType: 5)
        Self.appendLittleEndian(UInt64(value), bytes: 4, to: &bytes)
    }

    private mutating func key(_ field: Int, wireType: UInt64) { appendVarint(UInt64(field) << 3 | wireType) }

    private mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    static func appendLittleEndian(_ value: UInt64, bytes count: Int, to out: inout [UInt8]) {
        for i in 0..<count { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
}
