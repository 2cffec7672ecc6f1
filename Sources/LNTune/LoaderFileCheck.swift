import Foundation
import TextIO

/// The files of a model or adapter folder checked before the component loaders open them, so that a folder,
/// pipe or device where `config.json`, `adapter_config.json` or a `.safetensors` file belongs is reported in
/// plain words (`FileProblem`) instead of Foundation's ("NSCocoaErrorDomain error 256", "You don't have
/// permission" as root). Missing files are left to the loaders, whose messages say which files a folder needs.
enum LoaderFileCheck {
    /// Throws `.io` for the first `.json`, `.safetensors` or `.txt` entry of `folder` (or of its sub-folders,
    /// for LNTune's `prefix+ln` layout) that exists but cannot be read as a regular file.
    static func check(_ folder: URL) throws(LNTuneError) {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else { return }
        let entries = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in entries.sorted() {
            let path = folder.appendingPathComponent(name).path
            if [".json", ".safetensors", ".txt"].contains(where: name.hasSuffix) {
                if let problem = FileProblem.forReading(path) { throw .io(path: path, reason: problem) }
            } else if manager.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                for inner in ((try? manager.contentsOfDirectory(atPath: path)) ?? []).sorted()
                where [".json", ".safetensors"].contains(where: inner.hasSuffix) {
                    let innerPath = (path as NSString).appendingPathComponent(inner)
                    if let problem = FileProblem.forReading(innerPath) { throw .io(path: innerPath, reason: problem) }
                }
            }
        }
    }
}
