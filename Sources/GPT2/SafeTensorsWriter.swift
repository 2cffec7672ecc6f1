import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes F32 safetensors files the Rust crate (and so transformers) reads back.
///
/// The header is padded with spaces to a multiple of 8 bytes, as the Rust crate does, so the data section
/// starts aligned. The file is written atomically: a temporary file in the same folder, `fsync`, then
/// `rename` over the final name, so a crash or a full disk never leaves a half-written checkpoint behind.
public enum SafeTensorsWriter {
    public static func write(
        tensors: [(name: String, shape: [Int], data: UnsafeBufferPointer<Float>)], metadata: [String: String] = [:],
        to url: URL
    ) throws(GPT2Error) {
        let entries = tensors.map { (name: $0.name, shape: $0.shape, count: $0.data.count) }
        try write(entries, metadata: metadata, to: url) { i, body throws(GPT2Error) in
            try body(UnsafeRawBufferPointer(tensors[i].data))
        }
    }

    public static func write(
        tensors: [(name: String, shape: [Int], data: [Float])], metadata: [String: String] = [:], to url: URL
    ) throws(GPT2Error) {
        let entries = tensors.map { (name: $0.name, shape: $0.shape, count: $0.data.count) }
        try write(entries, metadata: metadata, to: url) { i, body throws(GPT2Error) in
            try tensors[i].data.withUnsafeBytes { bytes in Result { () throws(GPT2Error) in try body(bytes) } }.get()
        }
    }

    /// The shared writer: `bytes(i, body)` hands tensor `i`'s raw F32 bytes to `body`.
    private static func write(
        _ entries: [(name: String, shape: [Int], count: Int)], metadata: [String: String], to url: URL,
        bytes: (Int, (UnsafeRawBufferPointer) throws(GPT2Error) -> Void) throws(GPT2Error) -> Void
    ) throws(GPT2Error) {
        let header = try headerBytes(entries, metadata: metadata, file: url.path)
        let file = try AtomicFile(url)
        do {
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { (raw) throws(GPT2Error) in try file.append(raw) }
            try header.withUnsafeBytes { raw in Result { () throws(GPT2Error) in try file.append(raw) } }.get()
            for i in entries.indices {
                try bytes(i) { (raw) throws(GPT2Error) in
                    #if _endian(little)
                        try file.append(raw)
                    #else
                        let swapped = raw.bindMemory(to: UInt32.self).map { $0.littleEndian }
                        try swapped.withUnsafeBytes { s in Result { () throws(GPT2Error) in try file.append(s) } }.get()
                    #endif
                }
            }
            try file.commit()
        } catch {
            file.abandon()
            throw error
        }
    }

    /// The JSON header, tensors in the given order with consecutive offsets, padded with spaces to 8 bytes.
    static func headerBytes(
        _ entries: [(name: String, shape: [Int], count: Int)], metadata: [String: String], file: String
    ) throws(GPT2Error) -> [UInt8] {
        var json = "{"
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value))" }
            json += "\"__metadata__\":{\(pairs.joined(separator: ","))},"
        }
        var seen = Set<String>()
        var offset = 0
        for entry in entries {
            guard entry.name != "__metadata__", seen.insert(entry.name).inserted else {
                throw .writeFailed(file: file, reason: "tensor name '\(entry.name)' is reserved or repeated")
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }), entry.shape.reduce(1, *) == entry.count else {
                throw .writeFailed(
                    file: file,
                    reason: "tensor '\(entry.name)': shape \(entry.shape) does not hold \(entry.count) values")
            }
            let end = offset + 4 * entry.count
            let shape = entry.shape.map(String.init).joined(separator: ",")
            json +=
                "\(quoted(entry.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]},"
            offset = end
        }
        if json.hasSuffix(",") { json.removeLast() }
        json += "}"
        var bytes = Array(json.utf8)
        bytes += repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8)
        return bytes
    }

    /// A JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A file written under a temporary name in the destination folder and renamed into place on `commit`.
final class AtomicFile {
    let url: URL
    private let temporaryPath: String
    private var fd: Int32

    init(_ url: URL) throws(GPT2Error) {
        self.url = url
        let folder = url.deletingLastPathComponent().path
        temporaryPath = folder + "/." + url.lastPathComponent + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .writeFailed(file: url.path, reason: Self.lastError()) }
    }

    deinit { abandon() }

    /// Writes `data` to `url` atomically.
    static func store(_ data: Data, at url: URL) throws(GPT2Error) {
        let file = try AtomicFile(url)
        try data.withUnsafeBytes { raw in Result { () throws(GPT2Error) in try file.append(raw) } }.get()
        try file.commit()
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(GPT2Error) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = write(fd, p, min(left, 8 << 20))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .writeFailed(file: url.path, reason: Self.lastError()) }
            p += n
            left -= n
        }
    }

    /// Flushes to disk and renames over the final name; the folder is synced so the rename itself persists.
    func commit() throws(GPT2Error) {
        guard fsync(fd) == 0 else { throw .writeFailed(file: url.path, reason: "fsync: " + Self.lastError()) }
        close(fd)
        fd = -1
        guard rename(temporaryPath, url.path) == 0 else {
            let reason = Self.lastError()
            unlink(temporaryPath)
            throw .writeFailed(file: url.path, reason: "rename: " + reason)
        }
        let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    /// Removes the temporary file (after a failure); a no-op once committed.
    func abandon() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(temporaryPath)
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
