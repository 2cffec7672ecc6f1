import Foundation

/// A fresh folder under the system temporary directory, removed when the value goes away.
public final class TemporaryFolder: @unchecked Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lntune-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// A copy of the fixture folder or file `Tests/Fixtures/<name>` inside this folder.
    public func copy(fixture name: String) throws -> URL {
        let target = url.appendingPathComponent(UUID().uuidString)
        try FileManager.default.copyItem(at: Fixtures.url(name), to: target)
        return target
    }
}
