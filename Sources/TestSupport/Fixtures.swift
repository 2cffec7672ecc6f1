import Foundation

/// Locates committed test fixtures (`Tests/Fixtures/`) and the optional real data in `../shared/`.
public enum Fixtures {
    /// The repository root, found from this file's compile-time path (works for `swift test` from any cwd).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()

    /// `Tests/Fixtures/<name>`.
    public static func url(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name)
    }

    /// `../shared` beside the checkout, or nil when it is absent (tests that need it are then skipped
    /// with a message saying so).
    public static var shared: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue ? url : nil
    }

    /// `../shared/<path>` (e.g. `"datasets/e2e"`, `"gpt2"`), or nil when ../shared is absent. Only ../shared
    /// itself is checked: a file missing inside a present ../shared should fail the test that reads it, not skip it.
    public static func sharedFile(_ path: String) -> URL? { shared?.appendingPathComponent(path) }

    /// Reads and decodes a JSON fixture.
    public static func json<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name)))
    }
}
