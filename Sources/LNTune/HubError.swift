/// What can go wrong finding a model by name or downloading it from the Hugging Face hub.
public enum HubError: Error, Equatable, CustomStringConvertible {
    /// Neither an existing folder nor a hub name (`gpt2`, `openai-community/gpt2`).
    case invalidName(String, reason: String)
    /// A valid name with no complete snapshot in the local cache.
    case notInCache(name: String, revision: String, cache: String)
    /// The hub (or mirror) answered with an error status.
    case http(status: Int, url: String)
    /// The transfer failed (connection refused, cut short, timed out) after the retries.
    case network(url: String, reason: String)
    /// A response that does not make sense (a `Content-Range` that does not continue our partial file).
    case badResponse(url: String, reason: String)
    /// A local file or folder could not be written or read.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidName(name, reason):
            return "'\(name)' is neither a model folder nor a Hugging Face model name: \(reason)"
        case let .notInCache(name, revision, cache):
            let rev = revision == "main" ? "" : " --revision \(revision)"
            return "model '\(name)' (revision \(revision)) is not a folder and is not in the Hugging Face cache at"
                + " \(cache); run `lntune download \(name)\(rev)` first, or pass the path of a model folder"
        case let .http(status, url):
            return "\(url): HTTP \(status)" + Self.hint(status)
        case let .network(url, reason):
            return "\(url): download failed: \(reason) (run the command again to resume)"
        case let .badResponse(url, reason):
            return "\(url): unexpected response: \(reason)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }

    private static func hint(_ status: Int) -> String {
        switch status {
        case 401, 403:
            return " (not authorized: the repository is private or gated, or does not exist; set HF_TOKEN to an"
                + " access token with read permission)"
        case 404: return " (no such file, repository or revision on the hub)"
        case 429: return " (rate limited: wait a little, or set HF_TOKEN)"
        default: return ""
        }
    }
}
