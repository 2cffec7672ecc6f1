import Foundation
import TextIO

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// How far one file has come (for a progress line).
public struct DownloadProgress: Sendable {
    public let file: String
    public let bytes: Int64
    public let total: Int64?
    /// Bytes that were already on disk from an earlier, interrupted attempt.
    public let resumedFrom: Int64
}

/// One HTTP GET streamed into a `.incomplete` file, continuing it with `Range: bytes=N-` when it already
/// holds N bytes. Nothing here renames the file: the caller does that once the transfer is known complete.
final class HTTPFileTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome {
        /// The body arrived in full; the partial file holds the whole resource.
        case complete
        /// 416 with a total equal to what we hold: an earlier attempt finished but was not renamed.
        case alreadyComplete
        /// The partial file cannot be continued (416 with another size); start again from zero.
        case restart
        case status(Int)
        case interrupted(String)
        case failed(LNTuneError)
    }

    private let partial: URL
    private let offset: Int64
    private let file: String
    private let onProgress: @Sendable (DownloadProgress) -> Void
    // Delegate callbacks arrive on one serial queue; the lock guards the hand-over to the awaiting caller.
    private let lock = NSLock()
    private var handle: FileHandle?
    private var status = 0
    private var rangeTotal: Int64?
    private var written: Int64 = 0
    private var total: Int64?
    private var failure: LNTuneError?
    private var lastReport = Date.distantPast
    private var continuation: CheckedContinuation<Outcome, Never>?

    private init(partial: URL, offset: Int64, file: String, onProgress: @escaping @Sendable (DownloadProgress) -> Void)
    {
        self.partial = partial
        self.offset = offset
        self.file = file
        self.onProgress = onProgress
    }

    /// Runs one attempt: GET `request` (plus a Range header when `partial` is non-empty) into `partial`.
    static func run(
        _ request: URLRequest, into partial: URL, file: String,
        onProgress: @escaping @Sendable (DownloadProgress) -> Void
    ) async -> Outcome {
        let attributes = try? FileManager.default.attributesOfItem(atPath: partial.path)
        let existing = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        var request = request
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        let transfer = HTTPFileTransfer(partial: partial, offset: existing, file: file, onProgress: onProgress)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        let outcome = await withCheckedContinuation { continuation in
            transfer.lock.withLock { transfer.continuation = continuation }
            session.dataTask(with: request).resume()
        }
        session.finishTasksAndInvalidate()
        return outcome
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        status = http?.statusCode ?? 0
        let contentRange = http?.value(forHTTPHeaderField: "Content-Range")
        do {
            switch status {
            case 200:
                // A full body: the server ignored our range, or there was none. Start the file afresh.
                guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                    throw LNTuneError.io(path: partial.path, reason: "cannot create file")
                }
                handle = try FileHandle(forWritingTo: partial)
                written = 0
                total = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
            case 206:
                guard let range = contentRange.flatMap(Self.parseContentRange), range.start == offset else {
                    throw LNTuneError.hub(
                        .badResponse(
                            url: response.url?.absoluteString ?? "?",
                            reason:
                                "Content-Range '\(contentRange ?? "")' does not continue the \(offset) bytes on disk"))
                }
                handle = try FileHandle(forWritingTo: partial)
                try handle?.seek(toOffset: UInt64(offset))
                written = offset
                total = range.total
            case 416:
                rangeTotal = contentRange.flatMap(Self.parseContentRange)?.total
                completionHandler(.cancel)
                return
            default:
                completionHandler(.cancel)
                return
            }
        } catch {
            failure =
                (error as? LNTuneError)
                ?? .io(path: partial.path, reason: FileProblem.reason(error, path: partial.path, writing: true))
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let handle, failure == nil else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = .io(path: partial.path, reason: FileProblem.reason(error, path: partial.path, writing: true))
            dataTask.cancel()
            return
        }
        written += Int64(data.count)
        if Date().timeIntervalSince(lastReport) > 0.2 {
            lastReport = Date()
            onProgress(DownloadProgress(file: file, bytes: written, total: total, resumedFrom: offset))
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        var outcome: Outcome
        if let failure {
            outcome = .failed(failure)
        } else if status == 416 {
            outcome = rangeTotal == offset && offset > 0 ? .alreadyComplete : .restart
        } else if status != 200 && status != 206 {
            outcome = status == 0 ? .interrupted(Self.reason(error)) : .status(status)
        } else if let error {
            outcome = .interrupted(Self.reason(error))
        } else if let total, written != total {
            outcome = .interrupted("the connection closed after \(written) of \(total) bytes")
        } else {
            outcome = .complete
        }
        if let handle {
            do {
                try handle.synchronize()
                try handle.close()
            } catch {
                if case .complete = outcome {
                    outcome = .failed(
                        .io(path: partial.path, reason: FileProblem.reason(error, path: partial.path, writing: true)))
                }
            }
        }
        handle = nil
        if case .complete = outcome {
            onProgress(DownloadProgress(file: file, bytes: written, total: total ?? written, resumedFrom: offset))
        }
        let continuation = lock.withLock {
            defer { self.continuation = nil }
            return self.continuation
        }
        continuation?.resume(returning: outcome)
    }

    /// `bytes START-END/TOTAL` or `bytes */TOTAL` (TOTAL may be `*`).
    static func parseContentRange(_ header: String) -> (start: Int64?, total: Int64?)? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst(6).split(separator: "/", maxSplits: 1)
        guard spec.count == 2 else { return nil }
        let start = spec[0] == "*" ? nil : spec[0].split(separator: "-").first.flatMap { Int64($0) }
        return (start, Int64(spec[1]))
    }

    static func reason(_ error: Error?) -> String {
        guard let error else { return "no response" }
        let ns = error as NSError
        return (ns.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? ns.localizedDescription
    }
}
