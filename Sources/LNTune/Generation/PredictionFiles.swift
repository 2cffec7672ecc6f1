import Foundation
import TextIO

/// The files dataset mode writes: the predictions JSONL (`--out`) and the plain prediction lines (`--text`).
public enum PredictionFiles {
    /// Refuses existing outputs before any work is done (a long run must not fail at its end), unless
    /// `overwrite`; also refuses a folder, a pipe, a missing parent folder, and a place where no file can be
    /// created (a read-only file system, `/proc`): an empty file is created there and removed, the one sure test.
    public static func checkWritable(_ paths: [String], overwrite: Bool) throws {
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    throw LNTuneError.io(path: path, reason: "is a folder, not a file; give a file name in it")
                }
                if !overwrite { throw LNTuneError.generation(.outputExists(path: path)) }
            }
            if let problem = FileProblem.forWriting(path) { throw LNTuneError.io(path: path, reason: problem) }
            try probeCreation(beside: path)
        }
    }

    /// Creates and removes an empty hidden file in the folder of `path`.
    static func probeCreation(beside path: String) throws {
        let folder = FileProblem.parentFolder(of: path)
        let probe = (folder as NSString).appendingPathComponent(".lntune-write-check-\(getpid())")
        guard FileManager.default.createFile(atPath: probe, contents: nil) else {
            throw LNTuneError.io(path: path, reason: "no file can be created in \(folder); write elsewhere")
        }
        try? FileManager.default.removeItem(atPath: probe)
    }

    /// The JSONL text: one record per line, keys sorted, non-ASCII written as is.
    public static func jsonLines(_ records: [PredictionRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
    }

    /// One prediction per line, in record order (the order of the data file's unique sources, which is the
    /// order of the reference groups the E2E/WebNLG/DART scorers read).
    public static func textLines(_ records: [PredictionRecord]) -> String {
        records.map { PredictionText.line($0.prediction) + "\n" }.joined()
    }

    /// Writes `text` to `path` atomically (a crash leaves the old file or the new one, never half of it).
    public static func write(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw LNTuneError.io(path: path, reason: FileProblem.reason(error, path: path, writing: true))
        }
    }
}
