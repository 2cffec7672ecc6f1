import Foundation
import LNTune
import Testing
import TestSupport

/// Writes a cache entry `models--<folderName>` whose `refs/<ref>` points at a snapshot holding a config.json.
private func makeCacheEntry(_ cache: URL, folderName: String, commit: String, ref: String = "main") throws -> URL {
    let repo = cache.appendingPathComponent("models--" + folderName)
    let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
    try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
    try Data("{}".utf8).write(to: snapshot.appendingPathComponent("config.json"))
    try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
    try Data(commit.utf8).write(to: repo.appendingPathComponent("refs/\(ref)"))
    return snapshot
}

private func settings(_ cache: URL) -> HubSettings {
    HubSettings(cacheDirectory: cache, endpoint: URL(fileURLWithPath: "/"), token: nil)
}

/// An existing folder is used as is, whatever it is called.
@Test func existingFolderWins() throws {
    let folder = try TemporaryFolder()
    let resolved = try ModelResolver.resolve(folder.url.path, settings: settings(folder.url))
    #expect(resolved.path == folder.url.standardizedFileURL.path)
}

/// `gpt2`, `openai-community/gpt2` and the legacy cache folder `models--gpt2` all find each other, as the hub's
/// redirect makes them the same model; a commit hash selects its snapshot directly.
@Test(arguments: ["gpt2", "openai-community--gpt2"])
func namesResolveFromEitherCacheFolder(folderName: String) throws {
    let cache = try TemporaryFolder()
    let commit = "1234567890abcdef1234567890abcdef12345678"
    let snapshot = try makeCacheEntry(cache.url, folderName: folderName, commit: commit)
    for name in ["gpt2", "openai-community/gpt2"] {
        #expect(try ModelResolver.resolve(name, settings: settings(cache.url)).path == snapshot.path)
        #expect(try ModelResolver.resolve(name, revision: commit, settings: settings(cache.url)).path == snapshot.path)
    }
    #expect(throws: LNTuneError.self) { try ModelResolver.resolve("gpt2-medium", settings: settings(cache.url)) }
}

/// Another branch is found through its own ref.
@Test func revisionsResolveThroughRefs() throws {
    let cache = try TemporaryFolder()
    let main = try makeCacheEntry(cache.url, folderName: "org--model", commit: "aaa")
    let dev = try makeCacheEntry(cache.url, folderName: "org--model", commit: "bbb", ref: "dev")
    #expect(try ModelResolver.resolve("org/model", settings: settings(cache.url)).path == main.path)
    #expect(try ModelResolver.resolve("org/model", revision: "dev", settings: settings(cache.url)).path == dev.path)
    #expect(throws: LNTuneError.self) {
        try ModelResolver.resolve("org/model", revision: "../x", settings: settings(cache.url))
    }
}

/// Names that are not found say what to do; names that could escape the cache or are malformed are rejected.
@Test(arguments: [
    ("gpt2", "lntune download gpt2"), ("org/missing", "lntune download org/missing"),
    ("../etc", "no such model folder"), ("/no/such/dir", "no such model folder"),
    ("a/b/c", "not a hub name"), ("bad name!", "not a hub name"), ("org/..x", "not a hub name"),
])
func unresolvableNamesExplainThemselves(name: String, message: String) throws {
    let cache = try TemporaryFolder()
    #expect {
        try ModelResolver.resolve(name, settings: settings(cache.url))
    } throws: { error in
        "\(error)".contains(message)
    }
}

/// The cache, endpoint and token come from the same variables, with the same precedence, as huggingface_hub.
@Test func settingsFollowHuggingFaceEnvironment() throws {
    let home = URL(fileURLWithPath: "/home/u")
    func cache(_ env: [String: String]) -> String { HubSettings(environment: env, home: home).cacheDirectory.path }
    #expect(cache([:]) == "/home/u/.cache/huggingface/hub")
    #expect(cache(["XDG_CACHE_HOME": "/x"]) == "/x/huggingface/hub")
    #expect(cache(["HF_HOME": "/h"]) == "/h/hub")
    #expect(cache(["HF_HOME": "~/h"]) == "/home/u/h/hub")
    #expect(cache(["HF_HOME": "/h", "HF_HUB_CACHE": "/c"]) == "/c")
    #expect(HubSettings(environment: [:], home: home).endpoint.absoluteString == "https://huggingface.co")
    #expect(
        HubSettings(environment: ["HF_ENDPOINT": "http://m:8/"], home: home).endpoint.absoluteString == "http://m:8")
    #expect(HubSettings(environment: ["HF_TOKEN": "t"], home: home).token == "t")

    let hfHome = try TemporaryFolder()
    try Data("stored\n".utf8).write(to: hfHome.url.appendingPathComponent("token"))
    #expect(HubSettings(environment: ["HF_HOME": hfHome.url.path], home: home).token == "stored")
    #expect(HubSettings(environment: ["HF_HOME": hfHome.url.path, "HF_TOKEN": "env"], home: home).token == "env")
}
