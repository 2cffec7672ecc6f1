import Foundation

/// The files dataset mode writes: the predictions JSONL (`--out`) and the plain prediction lines (`--text`).
public enum PredictionFiles {
    /// Refuses existing outputs before any work is done (a long run must not fail at its end), unless
    /// `overwrite`; also refuses a folder or a missing parent folder.
    public static func checkWritable(_ paths: [String], overwrite: Bool) throws {
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                if isDirectory.boolValue { throw LNTuneError.io(path: path, reason: "is a folder, not a file") }
                if !overwrite { throw LNTuneError.generation(.outputExists(path: path)) }
            }
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw LNTuneError.io(path: path, reason: "the folder \(parent) does not exist")
            }
        }
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
            throw LNTuneError.io(path: path, reason: (error as NSError).localizedDescription)
        }
    }
}
