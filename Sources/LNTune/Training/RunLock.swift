import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exclusive `flock` a run holds on its folder (`OUT/.lntune-train.lock`) from the moment it changes
/// anything there until it ends. Two runs with `--overwrite` into one `--out` used to both finish with status 0
/// and leave a folder mixing their files; the second is now refused while the first runs.
///
/// The kernel drops the lock when the process ends, however it ends (kill -9 included), so a stale lock file
/// never blocks a later run. The file holds the holder's pid for the refusal message; it is hidden, so it
/// does not count as the folder's contents.
final class RunLock {
    static let fileName = ".lntune-train.lock"
    private let descriptor: Int32

    /// Takes the lock of `folder` (created if needed) or throws `runInProgress` naming the holder. A file system
    /// without `flock` (some network mounts) cannot protect the folder; the run goes on unprotected then.
    init(folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw LNTuneError.io(path: folder.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        let path = folder.appendingPathComponent(Self.fileName).path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LNTuneError.io(path: path, reason: "cannot open the run lock (\(String(cString: strerror(errno))))")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else { return }  // no flock here: run without the lock rather than refuse
            let holder = Self.holder(descriptor)
            close(descriptor)
            throw LNTuneError.training(.runInProgress(path: folder.path, holder: holder))
        }
        let note = Array("pid \(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = note.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    deinit { close(descriptor) }

    /// What the lock file says about the process holding it.
    private static func holder(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        let text = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "its pid is not recorded" : text
    }
}
