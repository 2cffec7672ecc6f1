import Foundation
import Testing

/// The one temporary folder of the tests: a fresh folder under the system temporary directory, removed with
/// everything in it when the value is released. Keep it in a `let` for as long as its files are used (a URL
/// inside it does not keep it alive); it then goes at the end of the test's scope — also when the test
/// throws or fails a `#require` — so no test leaves files behind.
public final class TemporaryFolder: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lntune-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        guard FileManager.default.fileExists(atPath: url.path) else { return }  // the test removed it itself
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            // A folder that cannot be removed is left on disk: say so instead of leaking it silently.
            Issue.record("cannot remove the temporary folder \(url.path): \(error)")
        }
    }

    /// `<folder>/<name>` (not created).
    public func url(for name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `bytes` (often deliberately broken input) to `name` inside this folder and returns its URL.
    @discardableResult
    public func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let file = url(for: name)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file
    }

    /// Writes `text` as UTF-8 to `name` inside this folder and returns its URL.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> URL { try write(Array(text.utf8), to: name) }

    /// A copy of the fixture folder or file `Tests/Fixtures/<name>` inside this folder.
    public func copy(fixture name: String) throws -> URL {
        let target = url(for: UUID().uuidString)
        try FileManager.default.copyItem(at: Fixtures.url(name), to: target)
        return target
    }
}
