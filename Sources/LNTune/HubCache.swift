import Foundation

/// Where the Hugging Face cache lives, which hub to talk to and with what token — read from the same
/// environment variables `huggingface_hub` reads, so LNTune and Python share one cache.
public struct HubSettings: Sendable, Equatable {
    /// The hub cache (`…/huggingface/hub`), holding `models--ORG--NAME/` folders.
    public var cacheDirectory: URL
    /// `https://huggingface.co` or a mirror.
    public var endpoint: URL
    /// Sent as `Authorization: Bearer …` when set.
    public var token: String?

    public init(cacheDirectory: URL, endpoint: URL, token: String?) {
        self.cacheDirectory = cacheDirectory
        self.endpoint = endpoint
        self.token = token
    }

    /// Cache: `HF_HUB_CACHE`, else `HUGGINGFACE_HUB_CACHE` (legacy), else `HF_HOME/hub`, else
    /// `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`. Endpoint: `HF_ENDPOINT`.
    /// Token: `HF_TOKEN`, else the file at `HF_TOKEN_PATH` or `HF_HOME/token` (what `hf auth login` writes).
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        home: URL = FileManager.default.homeDirectoryForCurrentUser
    ) {
        func path(_ s: String) -> URL {
            URL(fileURLWithPath: s.hasPrefix("~/") ? home.path + s.dropFirst() : s, isDirectory: true)
        }
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        let hfHome =
            value("HF_HOME").map(path)
            ?? (value("XDG_CACHE_HOME").map(path) ?? home.appendingPathComponent(".cache"))
            .appendingPathComponent("huggingface")
        cacheDirectory =
            (value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE")).map(path)
            ?? hfHome.appendingPathComponent("hub")
        var endpointString = value("HF_ENDPOINT") ?? "https://huggingface.co"
        while endpointString.hasSuffix("/") { endpointString.removeLast() }
        endpoint = URL(string: endpointString) ?? URL(fileURLWithPath: "/")
        let tokenFile = value("HF_TOKEN_PATH").map(path) ?? hfHome.appendingPathComponent("token")
        let stored = (try? String(contentsOf: tokenFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        token = value("HF_TOKEN") ?? (stored?.isEmpty == false ? stored : nil)
    }
}

/// A model repository name on the hub: `NAME` or `ORG/NAME`.
public struct HubRepo: Sendable, Equatable, CustomStringConvertible {
    public let id: String

    /// The models that predate organisations and that the hub now redirects (`gpt2` → `openai-community/gpt2`).
    static let legacyNames = [
        "gpt2": "openai-community/gpt2", "gpt2-medium": "openai-community/gpt2-medium",
        "gpt2-large": "openai-community/gpt2-large", "gpt2-xl": "openai-community/gpt2-xl",
        "distilgpt2": "distilbert/distilgpt2",
    ]

    /// Validates the name with the hub's rules (letters, digits, `-`, `_`, `.`; at most one `/`), which also
    /// keeps it from naming a path outside the cache.
    public init(_ name: String) throws(LNTuneError) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else {
            throw .hub(.invalidName(name, reason: "a model name is NAME or ORG/NAME"))
        }
        for part in parts {
            guard !part.isEmpty, part.count <= 96, !part.hasPrefix("."), !part.hasPrefix("-"), !part.contains(".."),
                part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
            else {
                throw .hub(.invalidName(name, reason: "'\(part)' may hold only letters, digits, '-', '_' and '.'"))
            }
        }
        id = name
    }

    /// The name the hub redirects to; downloads are stored under it.
    public var canonical: HubRepo {
        guard let full = Self.legacyNames[id] else { return self }
        return (try? HubRepo(full)) ?? self
    }

    /// `models--ORG--NAME`, as `huggingface_hub` names the cache folder.
    public var cacheFolderName: String { "models--" + id.replacingOccurrences(of: "/", with: "--") }

    /// Both spellings of a redirected name, since either may be in a cache (`models--gpt2` from older
    /// tools, `models--openai-community--gpt2` from newer ones).
    var cacheAliases: [HubRepo] {
        var names = [self, canonical]
        if let legacy = Self.legacyNames.first(where: { $0.value == id })?.key, let repo = try? HubRepo(legacy) {
            names.append(repo)
        }
        var seen = Set<String>()
        return names.filter { seen.insert($0.id).inserted }
    }

    public var description: String { id }
}

/// The cache layout: `models--ORG--NAME/refs/<revision>` holds a commit hash, `snapshots/<commit>/` the files.
public enum HubCache {
    /// A git revision (`main`, a tag, `refs/pr/1`, a commit hash) safe to use as a path below `refs/`.
    public static func validateRevision(_ revision: String) throws(LNTuneError) {
        let parts = revision.split(separator: "/", omittingEmptySubsequences: false)
        guard !revision.isEmpty,
            parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
            revision.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./".contains($0)) })
        else { throw .hub(.invalidName(revision, reason: "not a valid revision (branch, tag or commit hash)")) }
    }

    static func isCommitHash(_ s: String) -> Bool { s.count == 40 && s.allSatisfy(\.isHexDigit) }

    /// The snapshot folder of `repo` at `revision` if the cache holds one with a `config.json`.
    public static func snapshot(of repo: HubRepo, revision: String, in cache: URL) -> URL? {
        let fm = FileManager.default
        guard (try? validateRevision(revision)) != nil else { return nil }
        for alias in repo.cacheAliases {
            let folder = cache.appendingPathComponent(alias.cacheFolderName)
            var commit = revision
            if !isCommitHash(revision) {
                let ref = folder.appendingPathComponent("refs").appendingPathComponent(revision)
                guard let text = try? String(contentsOf: ref, encoding: .utf8) else { continue }
                commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !commit.isEmpty, !commit.contains("/"), commit != "..", commit != "." else { continue }
            }
            let snapshot = folder.appendingPathComponent("snapshots").appendingPathComponent(commit)
            if fm.fileExists(atPath: snapshot.appendingPathComponent("config.json").path) { return snapshot }
        }
        return nil
    }
}
