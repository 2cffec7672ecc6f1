import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 (ephemeral port) that serves a folder shaped like the Hugging Face
/// hub, so download code can be tested without a network: `GET /{repo}/resolve/{revision}/{file}` returns
/// `root/{repo}/{file}` with an `X-Repo-Commit` header, honours `Range: bytes=N-` (206/416), answers 404 for
/// missing files and 401 when a token is required and absent. `cut(file:afterBytes:)` makes the next response
/// for a file stop early (headers announce the full length), as a dropped connection would.
///
/// One connection at a time, `Connection: close` on every response: enough for a sequential client.
/// The serving thread keeps the server alive: call `stop()` when done.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public let method: String
        /// As sent (still percent-encoded).
        public let path: String
        /// Header names lower-cased.
        public let headers: [String: String]
    }

    public let port: UInt16
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/") }
    public let commit: String

    private let root: URL
    private let token: String?
    private let listener: Int32
    private let lock = NSLock()
    private var stopped = false
    private var cuts: [String: Int] = [:]
    private var log: [Request] = []
    private var thread: Thread?

    /// Starts serving `root`. With `token`, requests must carry `Authorization: Bearer <token>`.
    public init(root: URL, commit: String = "0123456789abcdef0123456789abcdef01234567", token: String? = nil) throws {
        self.root = root
        self.commit = commit
        self.token = token
        #if os(Linux)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Self.error("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw Self.error("bind/listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            close(fd)
            throw Self.error("getsockname")
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        self.thread = thread
        thread.start()
    }

    /// Stops accepting (the accept loop polls, so this takes effect within ~50 ms) and closes the socket.
    public func stop() {
        let wasRunning = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard wasRunning else { return }
        while lock.withLock({ thread != nil }) { usleep(10_000) }
        close(listener)
    }

    /// The next GET of `file` (its last path component) sends only `afterBytes` bytes of the body, then closes.
    public func cut(file: String, afterBytes: Int) { lock.withLock { cuts[file] = afterBytes } }

    /// Every request received so far, in order.
    public var requests: [Request] { lock.withLock { log } }

    private func serve() {
        defer { lock.withLock { thread = nil } }
        while !lock.withLock({ stopped }) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        guard let request = readRequest(connection) else { return }
        lock.withLock { log.append(request) }
        // Segments are decoded one by one, so an encoded revision (`refs%2Fpr%2F1`) stays one segment.
        let parts = request.path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        // {repo…}/resolve/{revision}/{file}
        // Only the revision may contain a decoded '/'; nothing may step out of the served folder.
        guard let r = parts.firstIndex(of: "resolve"), r >= 1, parts.count == r + 3,
            !parts.contains(where: { $0 == ".." || $0 == "." }),
            !parts.enumerated().contains(where: { $0.offset != r + 1 && $0.element.contains("/") }),
            request.method == "GET" || request.method == "HEAD"
        else { return respond(connection, 400, [:], Data("bad request".utf8)) }
        if let token, request.headers["authorization"] != "Bearer \(token)" {
            return respond(
                connection, 401, ["X-Error-Code": "RepoNotFound"], Data("{\"error\":\"Invalid credentials\"}".utf8))
        }
        let file = root.appendingPathComponent(parts[0..<r].joined(separator: "/")).appendingPathComponent(parts[r + 2])
        guard let body = try? Data(contentsOf: file) else {
            return respond(
                connection, 404, ["X-Error-Code": "EntryNotFound", "X-Repo-Commit": commit],
                Data("Entry not found".utf8))
        }
        var headers = ["X-Repo-Commit": commit, "ETag": "\"\(body.count)\"", "Accept-Ranges": "bytes"]
        var status = 200
        var slice = body
        if let range = request.headers["range"], range.hasPrefix("bytes="),
            let start = Int(range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false).first ?? "")
        {
            guard start < body.count else {
                headers["Content-Range"] = "bytes */\(body.count)"
                return respond(connection, 416, headers, Data())
            }
            status = 206
            slice = body.subdata(in: start..<body.count)
            headers["Content-Range"] = "bytes \(start)-\(body.count - 1)/\(body.count)"
        }
        let cut = request.method == "GET" ? lock.withLock { cuts.removeValue(forKey: parts[r + 2]) } : nil
        respond(connection, status, headers, slice, sendOnly: cut, head: request.method == "HEAD")
    }

    private func readRequest(_ connection: Int32) -> Request? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while buffer.count < 65536 {
            let n = recv(connection, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            buffer += chunk[0..<n]
            if buffer.count >= 4, (0...(buffer.count - 4)).contains(where: { Array(buffer[$0..<($0 + 4)]) == end }) {
                break
            }
        }
        let text = String(decoding: buffer, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let first = lines.first?.split(separator: " ") ?? []
        guard first.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return Request(method: String(first[0]), path: String(first[1]), headers: headers)
    }

    private func respond(
        _ connection: Int32, _ status: Int, _ headers: [String: String], _ body: Data, sendOnly: Int? = nil,
        head: Bool = false
    ) {
        let reasons = [
            200: "OK", 206: "Partial Content", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            416: "Range Not Satisfiable",
        ]
        var text = "HTTP/1.1 \(status) \(reasons[status] ?? "Status")\r\nContent-Length: \(body.count)\r\n"
        text += "Content-Type: application/octet-stream\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        var bytes = Data(text.utf8)
        if !head { bytes.append(body.prefix(sendOnly ?? body.count)) }
        bytes.withUnsafeBytes { raw in
            guard var p = raw.baseAddress else { return }
            var left = raw.count
            while left > 0 {
                #if os(Linux)
                    let n = send(connection, p, left, Int32(MSG_NOSIGNAL))
                #else
                    let n = send(connection, p, left, 0)
                #endif
                guard n > 0 else { return }
                p += n
                left -= n
            }
        }
    }

    private static func error(_ call: String) -> NSError {
        NSError(
            domain: "LoopbackHTTPServer", code: Int(errno),
            userInfo: [NSLocalizedDescriptionKey: "\(call): \(String(cString: strerror(errno)))"])
    }
}
