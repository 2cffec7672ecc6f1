/// Something a run did or found that the user should know but that does not stop it (the library never
/// prints; `lntune train` shows these as `note: …`).
public enum TrainingNotice: Equatable, Sendable, CustomStringConvertible {
    /// Temporary files of writes that were killed (paths relative to the run folder), removed at start.
    case removedLeftovers(folder: String, files: [String])
    /// The checkpoint predates checksums, so its contents could not be verified before resuming.
    case unverifiedCheckpoint(path: String)
    /// The training log is shorter than when the checkpoint was written; the resumed run appends to what is
    /// left.
    case shortLog(path: String, missingBytes: UInt64)

    public var description: String {
        switch self {
        case let .removedLeftovers(folder, files):
            let shown = files.prefix(3).joined(separator: ", ") + (files.count > 3 ? ", …" : "")
            return "removed \(files.count) temporary file(s) that interrupted writes left in \(folder) (\(shown))"
        case let .shortLog(path, missing):
            return "\(path) is \(missing) bytes shorter than when the checkpoint was written (it was cut or"
                + " edited since); the resumed run appends to what is left, so the log lacks those entries"
        case let .unverifiedCheckpoint(path):
            return "\(path) was written by an LNTune without checkpoint checksums; resuming without verifying"
                + " its contents"
        }
    }
}
