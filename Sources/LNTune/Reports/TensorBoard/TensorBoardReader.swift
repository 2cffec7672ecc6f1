import Foundation

/// Reads the scalar events of a TensorBoard event file — LNTune's own, or any writer's — checking both CRCs
/// of every TFRecord frame. `lntune report` takes throughput over steps from here, and the tests read what
/// the writer wrote. Events of other kinds (graphs, images, tensors) are skipped.
public enum TensorBoardReader {
    public static func events(in url: URL) throws -> [TensorBoardEvent] {
        let data: [UInt8]
        do {
            data = [UInt8](try Data(contentsOf: url))
        } catch {
            throw LNTuneError.io(path: url.path, reason: "cannot read the event file (\(error.localizedDescription))")
        }
        var events: [TensorBoardEvent] = []
        var offset = 0
        while offset < data.count {
            func fail(_ reason: String) -> LNTuneError {
                LNTuneError.io(path: url.path, reason: "not a TensorBoard event file at byte \(offset): \(reason)")
            }
            guard data.count - offset >= 16 else { throw fail("a record is cut short") }
            let header = data[offset..<offset + 8]
            let length = header.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard read32(data, offset + 8) == CRC32C.masked(header) else { throw fail("length CRC mismatch") }
            guard length <= UInt64(data.count - offset - 16) else {
                throw fail("a record of \(length) bytes is cut short")
            }
            let body = data[(offset + 12)..<(offset + 12 + Int(length))]
            guard read32(data, offset + 12 + Int(length)) == CRC32C.masked(body) else {
                throw fail("data CRC mismatch")
            }
            let event: TensorBoardEvent?
            do { event = try decodeEvent(Array(body)) } catch { throw fail("the event is not a valid protobuf") }
            if let event { events.append(event) }
            offset += 16 + Int(length)
        }
        return events
    }

    /// Every event file of a run's TensorBoard folder, oldest first (their names start with the time).
    public static func eventFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map {
            folder.appendingPathComponent($0)
        }
    }

    private static func read32(_ data: [UInt8], _ at: Int) -> UInt32 {
        data[at..<at + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// The event, or nil for a kind LNTune does not read.
    static func decodeEvent(_ bytes: [UInt8]) throws -> TensorBoardEvent? {
        var wallTime = 0.0, step = 0
        var content: TensorBoardEvent.Content?
        var fileVersion: String?, writer = ""
        try ProtobufReader.fields(bytes) { field, value in
            switch (field, value) {
            case let (1, .fixed64(bits)): wallTime = Double(bitPattern: bits)
            case let (2, .varint(raw)): step = Int(Int64(bitPattern: raw))
            case let (3, .bytes(text)): fileVersion = String(decoding: text, as: UTF8.self)
            case let (5, .bytes(summary)): content = .scalars(try scalars(summary))
            case let (7, .bytes(log)):
                try ProtobufReader.fields(log) { field, value in
                    if field == 1, case .varint(1) = value { content = .sessionStart }
                }
            case let (10, .bytes(source)):
                try ProtobufReader.fields(source) { field, value in
                    if field == 1, case let .bytes(text) = value { writer = String(decoding: text, as: UTF8.self) }
                }
            default: break
            }
        }
        if let fileVersion { content = .fileVersion(fileVersion, writer: writer) }
        return content.map { TensorBoardEvent(wallTime: wallTime, step: step, content: $0) }
    }

    private static func scalars(_ summary: [UInt8]) throws -> [(tag: String, value: Float)] {
        var values: [(tag: String, value: Float)] = []
        try ProtobufReader.fields(summary) { field, value in
            guard field == 1, case let .bytes(entry) = value else { return }
            var tag = ""
            var scalar: Float?
            try ProtobufReader.fields(entry) { field, value in
                switch (field, value) {
                case let (1, .bytes(text)): tag = String(decoding: text, as: UTF8.self)
                case let (2, .fixed32(bits)): scalar = Float(bitPattern: bits)
                default: break
                }
            }
            if let scalar { values.append((tag, scalar)) }
        }
        return values
    }
}

/// The protobuf wire format, read: each field's number and raw value.
enum ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
        case fixed32(UInt32)
    }

    struct Malformed: Error {}

    static func fields(_ bytes: [UInt8], _ body: (Int, Value) throws -> Void) throws {
        var index = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count, shift < 64 else { throw Malformed() }
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, count <= bytes.count - index else { throw Malformed() }
            defer { index += count }
            return bytes[index..<index + count]
        }
        while index < bytes.count {
            let key = try varint()
            let field = Int(truncatingIfNeeded: key >> 3)
            switch key & 7 {
            case 0: try body(field, .varint(try varint()))
            case 1: try body(field, .fixed64(try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }))
            case 2:
                let length = try varint()
                guard length <= UInt64(bytes.count) else { throw Malformed() }
                try body(field, .bytes(Array(try take(Int(length)))))
            case 5: try body(field, .fixed32(try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }))
            default: throw Malformed()
            }
        }
    }
}
