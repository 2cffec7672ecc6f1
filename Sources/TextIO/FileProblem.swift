import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a path cannot be read or written, in words a user can act on.
///
/// Foundation's own texts are for Cocoa programmers ("NSCocoaErrorDomain error 256" for a folder given as a
/// file, "You don't have permission" for a named pipe even to root), so every reader and writer of the
/// project asks the file system itself: what is at the path (nothing, a folder, a pipe, a file under a file),
/// and only when nothing is visibly wrong falls back to the operating system's reason (`strerror`).
public enum FileProblem {
    /// What stands in the way of reading `path` as a regular file; nil when nothing is visibly wrong.
    public static func forReading(_ path: String) -> String? {
        guard !path.isEmpty else { return "the path is empty; give a file" }
        guard let info = status(path) else { return missing(path) }
        if let kind = notARegularFile(info) { return kind }
        if access(path, R_OK) != 0 { return "permission denied; check the file's permissions" }
        return nil
    }

    /// What stands in the way of creating or replacing a regular file at `path`; nil when nothing is visibly
    /// wrong (a write can still fail, e.g. on a full disk: `reason(_:path:writing:)` then says why).
    public static func forWriting(_ path: String) -> String? {
        guard !path.isEmpty else { return "the path is empty; give a file name" }
        if let info = status(path) {
            if let kind = notARegularFile(info) { return kind }
        }
        let parent = parentFolder(of: path)
        guard let folder = status(parent) else { return missing(parent, asFolder: true) }
        guard isFolder(folder) else { return "\(parent) is a file, not a folder; check the path" }
        if access(parent, W_OK) != 0 { return "cannot create files in \(parent) (permission denied); write elsewhere" }
        var fs = statvfs()
        if statvfs(parent, &fs) == 0, fs.f_flag & UInt(ST_RDONLY) != 0 {
            return "\(parent) is on a read-only file system; write elsewhere"
        }
        return nil
    }

    /// The reason a read (or write) of `path` failed with `error`: what is visibly wrong with the path, else
    /// the operating system's reason, else Foundation's text.
    public static func reason(_ error: any Error, path: String, writing: Bool) -> String {
        if let seen = writing ? forWriting(path) : forReading(path) { return seen }
        let nsError = error as NSError
        let posix = [nsError, nsError.userInfo[NSUnderlyingErrorKey] as? NSError].compactMap { $0 }
            .first { $0.domain == NSPOSIXErrorDomain }
        if let code = posix?.code {
            let text = String(cString: strerror(Int32(code))).lowercased()
            return code == Int(ENOSPC) ? text + "; free some space or write elsewhere" : text
        }
        return nsError.localizedDescription
    }

    /// The folder a file at `path` lives in (`.` for a bare name).
    public static func parentFolder(of path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    private static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    private static func isFolder(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }

    private static func notARegularFile(_ info: stat) -> String? {
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "it is a folder, not a file; give the path of a file"
        case S_IFIFO: return "it is a named pipe, not a regular file; save the data to a file first"
        case S_IFSOCK: return "it is a socket, not a regular file; give a regular file"
        default: return "it is a device, not a regular file; give a regular file"
        }
    }

    /// A path that does not exist: the first missing folder on the way, or a file where a folder should be.
    private static func missing(_ path: String, asFolder: Bool = false) -> String {
        var ancestor = parentFolder(of: path)
        var child = path
        while ancestor != child {
            if let info = status(ancestor) {
                if !isFolder(info) { return "\(ancestor) is a file, not a folder; check the path" }
                break
            }
            child = ancestor
            ancestor = parentFolder(of: ancestor)
        }
        if child != path { return "the folder \(child) does not exist; check the path or create it" }
        return asFolder
            ? "the folder \(path) does not exist; check the path or create it" : "no such file; check the path"
    }
}
