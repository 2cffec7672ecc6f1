import Foundation

/// Turns what a user types after `--model` into a model folder, as the Hugging Face tools do: an existing
/// folder is used as is; otherwise the text is a hub name looked up in the local cache (never downloaded
/// implicitly — `lntune download NAME` does that, so runs are reproducible and work offline).
public enum ModelResolver {
    public static func resolve(
        _ spec: String, revision: String = "main", settings: HubSettings = HubSettings()
    ) throws(LNTuneError) -> URL {
        let expanded =
            spec.hasPrefix("~/") ? FileManager.default.homeDirectoryForCurrentUser.path + spec.dropFirst() : spec
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .io(
                    path: expanded, reason: "is a file; pass the folder that holds config.json and model.safetensors")
            }
            return URL(fileURLWithPath: expanded, isDirectory: true).standardizedFileURL
        }
        // Text that can only be a path is reported as a missing folder, not as a bad model name.
        if ["/", "./", "../", "~"].contains(where: { spec.hasPrefix($0) }) || spec == "." || spec == ".." {
            throw .io(path: expanded, reason: "no such model folder")
        }
        let repo: HubRepo
        do {
            repo = try HubRepo(spec)
        } catch {
            throw .hub(.invalidName(spec, reason: "no such folder, and not a hub name (NAME or ORG/NAME)"))
        }
        try HubCache.validateRevision(revision)
        if let snapshot = HubCache.snapshot(of: repo, revision: revision, in: settings.cacheDirectory) {
            return snapshot
        }
        throw .hub(.notInCache(name: spec, revision: revision, cache: settings.cacheDirectory.path))
    }
}
