import Foundation
import TextIO

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads a GPT-2 model folder from the Hugging Face hub into the local cache, in the layout
/// `huggingface_hub` uses (`models--ORG--NAME/refs/<revision>`, `snapshots/<commit>/<file>`), so that both
/// `ModelResolver` and Python find it.
///
/// Files are written directly into the snapshot folder (no `blobs/` + symlinks: simpler, and readers only look
/// at the snapshot). Each file streams into `<file>.incomplete`, which a later attempt or run continues with a
/// `Range` request; it is renamed to its final name only when complete, and `refs/<revision>` is written only
/// when every required file is there, so an interrupted download is never mistaken for a model.
public struct HubDownloader: Sendable {
    public var settings: HubSettings
    /// Attempts per file before giving up; each retry resumes where the last one stopped.
    public var maxAttempts = 3
    public var onProgress: @Sendable (DownloadProgress) -> Void

    /// What a GPT-2 model folder needs: the config, the weights and the tokenizer's vocabulary and merges.
    public static let requiredFiles = ["config.json", "model.safetensors", "vocab.json", "merges.txt"]
    /// Fetched when the repository has them; a 404 is fine.
    public static let optionalFiles = ["tokenizer.json", "generation_config.json"]

    public init(
        settings: HubSettings = HubSettings(), onProgress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }
    ) {
        self.settings = settings
        self.onProgress = onProgress
    }

    /// Downloads `name` at `revision` and returns the snapshot folder.
    public func download(_ name: String, revision: String = "main") async throws(LNTuneError) -> URL {
        let repo = try HubRepo(name).canonical
        try HubCache.validateRevision(revision)
        let repoFolder = settings.cacheDirectory.appendingPathComponent(repo.cacheFolderName)

        // config.json first, at the requested revision: its X-Repo-Commit pins every other file to that commit,
        // so a push to the branch mid-download cannot mix two versions (and resumed partials stay valid).
        let (config, commitHeader) = try await fetchSmall(fileURL(repo, revision, "config.json"))
        let commit = commitHeader ?? revision
        guard !commit.isEmpty, !commit.contains("/"), commit != ".", commit != ".." else {
            throw .hub(
                .badResponse(
                    url: fileURL(repo, revision, "config.json").absoluteString, reason: "no usable X-Repo-Commit"))
        }
        let snapshot = repoFolder.appendingPathComponent("snapshots").appendingPathComponent(commit)
        try Self.createFolder(snapshot)
        try Self.writeAtomically(config, to: snapshot.appendingPathComponent("config.json"))

        if try await !fetch(repo, commit, "model.safetensors", into: snapshot, required: false) {
            try await fetchShards(repo, commit, into: snapshot)
        }
        for file in Self.requiredFiles where !["config.json", "model.safetensors"].contains(file) {
            _ = try await fetch(repo, commit, file, into: snapshot, required: true)
        }
        for file in Self.optionalFiles { _ = try await fetch(repo, commit, file, into: snapshot, required: false) }

        if commit != revision {
            let ref = repoFolder.appendingPathComponent("refs").appendingPathComponent(revision)
            try Self.createFolder(ref.deletingLastPathComponent())
            try Self.writeAtomically(Data(commit.utf8), to: ref)
        }
        return snapshot
    }

    /// Weights split by transformers into shards listed in `model.safetensors.index.json`.
    private func fetchShards(_ repo: HubRepo, _ commit: String, into snapshot: URL) async throws(LNTuneError) {
        let indexName = "model.safetensors.index.json"
        guard try await fetch(repo, commit, indexName, into: snapshot, required: false) else {
            throw .hub(.http(status: 404, url: fileURL(repo, commit, "model.safetensors").absoluteString))
        }
        struct Index: Decodable { let weight_map: [String: String] }
        let index = snapshot.appendingPathComponent(indexName)
        guard let data = try? Data(contentsOf: index), let map = try? JSONDecoder().decode(Index.self, from: data)
        else {
            throw .hub(.badResponse(url: fileURL(repo, commit, indexName).absoluteString, reason: "not a shard index"))
        }
        for shard in Set(map.weight_map.values).sorted() {
            guard !shard.contains("/"), !shard.hasPrefix(".") else {
                throw .hub(.badResponse(url: index.path, reason: "shard name '\(shard)' is not a plain file name"))
            }
            _ = try await fetch(repo, commit, shard, into: snapshot, required: true)
        }
    }

    /// `{endpoint}/{repo}/resolve/{revision}/{file}`, the revision percent-encoded as one path segment
    /// (`refs/pr/1` → `refs%2Fpr%2F1`, as huggingface_hub sends it).
    func fileURL(_ repo: HubRepo, _ revision: String, _ file: String) -> URL {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        let rev = revision.addingPercentEncoding(withAllowedCharacters: allowed) ?? revision
        let name = file.addingPercentEncoding(withAllowedCharacters: allowed) ?? file
        return URL(string: "\(settings.endpoint.absoluteString)/\(repo.id)/resolve/\(rev)/\(name)") ?? settings.endpoint
    }

    private func request(_ url: URL) -> URLRequest {
        var request = URLRequest(url: url)
        request.setValue("lntune/\(LNTuneVersion.string)", forHTTPHeaderField: "User-Agent")
        if let token = settings.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }

    /// A small file fetched whole into memory, with the commit the hub resolved the revision to.
    private func fetchSmall(_ url: URL) async throws(LNTuneError) -> (Data, String?) {
        var reason = ""
        for _ in 0..<maxAttempts {
            do {
                let (data, response) = try await URLSession.shared.data(for: request(url))
                guard let http = response as? HTTPURLResponse else {
                    throw LNTuneError.hub(.badResponse(url: url.absoluteString, reason: "not HTTP"))
                }
                guard http.statusCode == 200 else {
                    throw LNTuneError.hub(.http(status: http.statusCode, url: url.absoluteString))
                }
                onProgress(
                    DownloadProgress(
                        file: url.lastPathComponent, bytes: Int64(data.count), total: Int64(data.count), resumedFrom: 0)
                )
                return (data, http.value(forHTTPHeaderField: "X-Repo-Commit"))
            } catch let error as LNTuneError {
                throw error
            } catch {
                reason = HTTPFileTransfer.reason(error)
            }
        }
        throw .hub(.network(url: url.absoluteString, reason: reason))
    }

    /// Streams one file into the snapshot, resuming a partial one. Returns false for a 404 on an optional file.
    private func fetch(_ repo: HubRepo, _ commit: String, _ file: String, into snapshot: URL, required: Bool)
        async throws(LNTuneError) -> Bool
    {
        let destination = snapshot.appendingPathComponent(file)
        if FileManager.default.fileExists(atPath: destination.path) { return true }
        let partial = snapshot.appendingPathComponent(file + ".incomplete")
        let url = fileURL(repo, commit, file)
        var lastReason = "no attempt made"
        for _ in 0..<maxAttempts {
            switch await HTTPFileTransfer.run(request(url), into: partial, file: file, onProgress: onProgress) {
            case .complete, .alreadyComplete:
                do {
                    try FileManager.default.moveItem(at: partial, to: destination)
                } catch {
                    throw .io(
                        path: destination.path, reason: FileProblem.reason(error, path: destination.path, writing: true)
                    )
                }
                return true
            case .restart:
                try? FileManager.default.removeItem(at: partial)
                lastReason = "the partial file did not match the server's file; restarted"
            case .status(404) where !required:
                return false
            case let .status(code):
                throw .hub(.http(status: code, url: url.absoluteString))
            case let .interrupted(reason):
                lastReason = reason
            case let .failed(error):
                throw error
            }
        }
        throw .hub(.network(url: url.absoluteString, reason: lastReason))
    }

    private static func createFolder(_ url: URL) throws(LNTuneError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .io(path: url.path, reason: FileProblem.reason(error, path: url.path, writing: true))
        }
    }

    private static func writeAtomically(_ data: Data, to url: URL) throws(LNTuneError) {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw .io(path: url.path, reason: FileProblem.reason(error, path: url.path, writing: true))
        }
    }
}
