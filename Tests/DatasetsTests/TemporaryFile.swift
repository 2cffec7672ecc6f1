import Foundation

/// Writes test inputs (often deliberately broken bytes) to a fresh temporary folder.
enum TemporaryFile {
    static func write(_ text: String, name: String) throws -> URL {
        try write(Array(text.utf8), name: name)
    }

    static func write(_ bytes: [UInt8], name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lntune-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}
