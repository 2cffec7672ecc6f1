import Foundation

/// An event file being written: `DIR/events.out.tfevents.<seconds>.<host>.<pid>.<n>`, the name TensorBoard's
/// own writer gives (readers order a folder's files by it). Each event is written through at once, so a
/// TensorBoard watching the folder sees a step as soon as it is logged.
public final class TensorBoardWriter {
    public let url: URL
    private let handle: FileHandle

    /// Creates a new event file in `folder` (created if needed), starting with the `file_version` event.
    public init(folder: URL, wallTime: Double = Date().timeIntervalSince1970) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw LNTuneError.io(path: folder.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        let stem =
            "events.out.tfevents." + String(format: "%010d", Int(wallTime)) + ".\(Self.hostName)"
            + ".\(ProcessInfo.processInfo.processIdentifier)"
        // A second writer in the same second (a run resumed by the same process) gets the next number.
        var counter = 0
        while FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(stem).\(counter)").path) {
            counter += 1
        }
        url = folder.appendingPathComponent("\(stem).\(counter)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw LNTuneError.io(path: url.path, reason: "cannot create the TensorBoard event file")
        }
        do {
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw LNTuneError.io(path: url.path, reason: "cannot open the event file (\(error.localizedDescription))")
        }
        try write(
            TensorBoardEvent(wallTime: wallTime, step: 0, content: .fileVersion("brain.Event:2", writer: "lntune")))
    }

    deinit { try? handle.close() }

    public func write(_ event: TensorBoardEvent) throws {
        do {
            try handle.write(contentsOf: event.record)
        } catch {
            throw LNTuneError.io(path: url.path, reason: "cannot append to the event file (\(error))")
        }
    }

    /// The host part of the name, without characters that would make it a path.
    private static var hostName: String {
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        return host.isEmpty ? "localhost" : host
    }
}
