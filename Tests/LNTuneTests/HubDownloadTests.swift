import Foundation
import GPT2
import LNTune
import TestSupport
import Testing

/// A hub-shaped folder served on 127.0.0.1 holding `openai-community/gpt2` (the tiny fixture model plus small
/// tokenizer files), a cache folder, and settings pointing at both.
final class HubFixture {
    let folder: TemporaryFolder
    let server: LoopbackHTTPServer
    let settings: HubSettings
    let repo: URL
    static let required = ["config.json", "model.safetensors", "vocab.json", "merges.txt"]

    init(token: String? = nil, clientToken: String? = nil, without missing: [String] = [], sharded: Bool = false) throws
    {
        folder = try TemporaryFolder()
        repo = folder.url.appendingPathComponent("hub/openai-community/gpt2")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(
                at: Fixtures.url("tiny-gpt2/\(name)"), to: repo.appendingPathComponent(name))
        }
        try Data("{\"!\": 0, \"a\": 1}".utf8).write(to: repo.appendingPathComponent("vocab.json"))
        try Data("#version: 0.2\na b\n".utf8).write(to: repo.appendingPathComponent("merges.txt"))
        try Data("{\"bos_token_id\": 306}".utf8).write(to: repo.appendingPathComponent("generation_config.json"))
        for name in missing { try FileManager.default.removeItem(at: repo.appendingPathComponent(name)) }
        if sharded {
            try FileManager.default.removeItem(at: repo.appendingPathComponent("model.safetensors"))
            let shards = Fixtures.url("checkpoints/sharded")
            for name in try FileManager.default.contentsOfDirectory(atPath: shards.path) where name.hasPrefix("model") {
                try FileManager.default.copyItem(
                    at: shards.appendingPathComponent(name), to: repo.appendingPathComponent(name))
            }
        }
        server = try LoopbackHTTPServer(root: folder.url.appendingPathComponent("hub"), token: token)
        settings = HubSettings(
            cacheDirectory: folder.url.appendingPathComponent("cache"), endpoint: server.baseURL, token: clientToken)
    }

    deinit { server.stop() }

    var snapshot: URL {
        settings.cacheDirectory.appendingPathComponent("models--openai-community--gpt2/snapshots/\(server.commit)")
    }

    func expectSnapshotComplete() throws {
        for name in Self.required + ["generation_config.json"] {
            let got = try Data(contentsOf: snapshot.appendingPathComponent(name))
            #expect(got == (try Data(contentsOf: repo.appendingPathComponent(name))), "\(name) differs")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: snapshot.path)
        #expect(!files.contains { $0.hasSuffix(".incomplete") }, "\(files)")
        #expect(!files.contains("tokenizer.json"))
        let ref = settings.cacheDirectory.appendingPathComponent("models--openai-community--gpt2/refs/main")
        #expect(try String(contentsOf: ref, encoding: .utf8) == server.commit)
    }

    func modelRequests() -> [LoopbackHTTPServer.Request] {
        server.requests.filter { $0.path.hasSuffix("/model.safetensors") }
    }
}

/// A full download fills the cache snapshot byte for byte (optional files when present, a 404 for
/// tokenizer.json tolerated), pins files to the commit from X-Repo-Commit, sends the token, and the name then
/// resolves from the cache to a folder that loads as a checkpoint.
@Test func downloadResolveAndLoad() async throws {
    let hub = try HubFixture(token: "secret", clientToken: "secret")
    let progress = ProgressLog()
    let downloader = HubDownloader(settings: hub.settings) { progress.add($0) }
    let folder = try await downloader.download("gpt2")
    #expect(folder.standardizedFileURL.path == hub.snapshot.standardizedFileURL.path)
    try hub.expectSnapshotComplete()
    let requests = hub.server.requests
    #expect(requests.allSatisfy { $0.headers["authorization"] == "Bearer secret" })
    #expect(requests.first?.path == "/openai-community/gpt2/resolve/main/config.json")
    #expect(requests.dropFirst().allSatisfy { $0.path.contains("/resolve/\(hub.server.commit)/") })
    #expect(progress.files.contains("model.safetensors"))

    let reference = try GPT2Checkpoint.load(directory: Fixtures.url("tiny-gpt2"))
    for name in ["gpt2", "openai-community/gpt2"] {
        let resolved = try ModelResolver.resolve(name, settings: hub.settings)
        #expect(resolved.standardizedFileURL.path == hub.snapshot.standardizedFileURL.path)
        let checkpoint = try GPT2Checkpoint.load(directory: resolved)
        #expect(Array(checkpoint.parameters.buffer) == Array(reference.parameters.buffer))
    }
    // A second run finds the files in place: it asks only for the config (to learn the commit) and for the
    // optional file the hub does not have.
    let before = hub.server.requests.count
    _ = try await downloader.download("gpt2")
    let again = hub.server.requests.dropFirst(before).map(\.path)
    #expect(again.count == 2 && again[0].hasSuffix("/config.json") && again[1].hasSuffix("/tokenizer.json"), "\(again)")
}

/// A revision with slashes (a pull request ref) travels as one encoded path segment, and is recorded under
/// `refs/` as huggingface_hub records it (`refs/refs/pr/1`), so the resolver finds it by the same revision.
@Test func pullRequestRevision() async throws {
    let hub = try HubFixture()
    _ = try await HubDownloader(settings: hub.settings).download("gpt2", revision: "refs/pr/1")
    #expect(hub.server.requests.first?.path == "/openai-community/gpt2/resolve/refs%2Fpr%2F1/config.json")
    let ref = hub.settings.cacheDirectory.appendingPathComponent("models--openai-community--gpt2/refs/refs/pr/1")
    #expect(try String(contentsOf: ref, encoding: .utf8) == hub.server.commit)
    let resolved = try ModelResolver.resolve("gpt2", revision: "refs/pr/1", settings: hub.settings)
    #expect(resolved.standardizedFileURL.path == hub.snapshot.standardizedFileURL.path)
    #expect(throws: LNTuneError.self) { try ModelResolver.resolve("gpt2", settings: hub.settings) }
}

/// A repository whose weights transformers sharded is fetched through its index: every shard lands in the
/// snapshot and the folder loads to the same parameters as the unsharded fixture.
@Test func downloadsShardedWeights() async throws {
    let hub = try HubFixture(sharded: true)
    let folder = try await HubDownloader(settings: hub.settings).download("gpt2")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    #expect(names.filter { $0.hasSuffix(".safetensors") }.count == 3, "\(names)")
    #expect(names.contains("model.safetensors.index.json"))
    let loaded = try GPT2Checkpoint.load(directory: folder)
    let reference = try GPT2Checkpoint.load(directory: Fixtures.url("tiny-gpt2"))
    #expect(Array(loaded.parameters.buffer) == Array(reference.parameters.buffer))
}

/// A connection cut mid-file is resumed with `Range: bytes=N-` from the bytes already on disk, and the result is
/// identical to the served file.
@Test func resumesAfterACutConnection() async throws {
    let hub = try HubFixture()
    hub.server.cut(file: "model.safetensors", afterBytes: 50_000)
    _ = try await HubDownloader(settings: hub.settings).download("gpt2")
    try hub.expectSnapshotComplete()
    let model = hub.modelRequests()
    #expect(model.count == 2)
    #expect(model.first?.headers["range"] == nil)
    #expect(model.last?.headers["range"] == "bytes=50000-")
}

/// A partial file left by an earlier run is continued, not restarted; one already complete but not renamed
/// (the server answers 416) is accepted as is.
@Test(arguments: [70_000, 149_928])
func resumesAPartialFileFromAnEarlierRun(bytesOnDisk: Int) async throws {
    let hub = try HubFixture()
    try FileManager.default.createDirectory(at: hub.snapshot, withIntermediateDirectories: true)
    let full = try Data(contentsOf: hub.repo.appendingPathComponent("model.safetensors"))
    #expect(full.count == 149_928)
    try full.prefix(bytesOnDisk).write(to: hub.snapshot.appendingPathComponent("model.safetensors.incomplete"))
    _ = try await HubDownloader(settings: hub.settings).download("gpt2")
    try hub.expectSnapshotComplete()
    #expect(hub.modelRequests().map { $0.headers["range"] } == ["bytes=\(bytesOnDisk)-"])
}

/// Without the token a protected repository is a 401 error that says to set HF_TOKEN, and nothing resolves.
@Test func unauthorizedWithoutToken() async throws {
    let hub = try HubFixture(token: "secret", clientToken: nil)
    await #expect {
        try await HubDownloader(settings: hub.settings).download("gpt2")
    } throws: { error in
        guard let error = error as? LNTuneError, case .hub(.http(401, _)) = error else { return false }
        return error.description.contains("HF_TOKEN")
    }
    #expect(throws: LNTuneError.self) { try ModelResolver.resolve("gpt2", settings: hub.settings) }
}

/// A missing required file is a 404 error naming it; the snapshot is not registered under refs/main, so the
/// name does not resolve to the incomplete folder.
@Test func missingRequiredFileIsAnError() async throws {
    let hub = try HubFixture(without: ["merges.txt"])
    await #expect {
        try await HubDownloader(settings: hub.settings).download("gpt2")
    } throws: { error in
        guard let error = error as? LNTuneError, case let .hub(.http(404, url)) = error else { return false }
        return url.hasSuffix("/merges.txt")
    }
    #expect {
        try ModelResolver.resolve("gpt2", settings: hub.settings)
    } throws: { error in
        "\(error)".contains("lntune download gpt2")
    }
}

/// A hub that is not there is a network error after the retries, not a hang or a crash.
@Test func unreachableHubIsANetworkError() async throws {
    let hub = try HubFixture()
    hub.server.stop()
    await #expect {
        try await HubDownloader(settings: hub.settings).download("gpt2")
    } throws: { error in
        guard let error = error as? LNTuneError, case .hub(.network) = error else { return false }
        return true
    }
}

/// Collects progress reports from the downloader's callback.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [DownloadProgress] = []
    func add(_ p: DownloadProgress) { lock.withLock { reports.append(p) } }
    var files: Set<String> { lock.withLock { Set(reports.map(\.file)) } }
}
