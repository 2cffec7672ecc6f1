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
    /// through the `needsShared` trait, which says so).
    public static var shared: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue ? url : nil
    }

    /// `../shared/<path>` (e.g. `"datasets/e2e"`, `"gpt2"`), or nil when ../shared is absent. Only ../shared
    /// itself is checked: a file missing inside a present ../shared should fail the test that reads it, not skip it.
    public static func sharedFile(_ path: String) -> URL? { shared?.appendingPathComponent(path) }

    /// Reads and decodes the JSON fixture `Tests/Fixtures/<name>`; a missing, unreadable or undecodable file
    /// is an error naming it.
    public static func json<T: Decodable>(_ type: T.Type, _ name: String) throws(FixtureError) -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url(name))
        } catch {
            throw .unreadable(name: name, reason: error.localizedDescription)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .undecodable(name: name, reason: "\(error)")
        }
    }

    /// `cases` read from the fixture `name`, which must number exactly `count` (written beside the test, so a
    /// table that shrinks — or grows without anyone looking at the tests — fails instead of running fewer).
    public static func cases<Case>(_ cases: [Case], count: Int, in name: String) throws(FixtureError) -> [Case] {
        guard cases.count == count else { throw .caseCount(name: name, expected: count, found: cases.count) }
        return cases
    }
}

/// A committed fixture a test cannot use, named by its path under Tests/Fixtures.
public enum FixtureError: Error, Equatable, CustomStringConvertible {
    case unreadable(name: String, reason: String)
    case undecodable(name: String, reason: String)
    /// The table holds another number of cases than the tests were written for: truncated, emptied or
    /// regenerated with other cases (then update the count beside the test).
    case caseCount(name: String, expected: Int, found: Int)

    public var description: String {
        let hint = "regenerate it with its script in eval/reference/"
        return switch self {
        case let .unreadable(name, reason): "Tests/Fixtures/\(name) cannot be read (\(reason)); \(hint)"
        case let .undecodable(name, reason): "Tests/Fixtures/\(name) cannot be decoded (\(reason)); \(hint)"
        case let .caseCount(name, expected, found):
            "Tests/Fixtures/\(name) holds \(found) cases, the tests expect \(expected); \(hint), or update the count"
        }
    }
}

/// A JSON fixture decoded once, where a suite is defined. Tables are read by `@Test(arguments:)` expressions
/// and global constants, which cannot throw; `(try? …) ?? []` there would run zero cases and pass. This keeps
/// the failure instead: `value()` throws it inside a test, and `cases(count:_:)` — written as
/// `@Test(arguments: try table.cases(count: N) { … })`, whose error Swift Testing records as the test's
/// failure — also checks the number of cases, so a missing, unreadable or truncated file fails its tests.
public struct FixtureTable<Value: Decodable & Sendable>: Sendable {
    /// The path under Tests/Fixtures.
    public let name: String
    private let loaded: Result<Value, FixtureError>

    public init(_ name: String, of type: Value.Type = Value.self) {
        self.name = name
        loaded = Result { () throws(FixtureError) in try Fixtures.json(Value.self, name) }
    }

    /// The decoded fixture, or the error naming the file.
    public func value() throws(FixtureError) -> Value { try loaded.get() }

    /// The cases `select` picks from the fixture, which must number exactly `count`.
    public func cases<Case>(count: Int, _ select: (Value) -> [Case]) throws(FixtureError) -> [Case] {
        try Fixtures.cases(select(try value()), count: count, in: name)
    }
}
