import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Refuses an output that is one of a command's inputs — `generate --input test.csv --out test.csv --overwrite`
/// replaced the test set with predictions, and `lntune tokenize --input a.txt >> a.txt` reads what it writes.
///
/// Files are compared by identity (device and inode), so a second spelling (`./a`, an absolute path, a
/// symbolic or hard link) is caught; an output that does not exist yet is compared by its resolved path with
/// the other outputs. A folder given as an input (a WebNLG folder, a model folder) stands for the files in it.
public enum SameFileCheck {
    /// One path with the flag that named it, e.g. `("--input", "test.csv")`.
    public struct Labeled: Sendable {
        public var flag: String
        public var path: String
        public init(_ flag: String, _ path: String) { (self.flag, self.path) = (flag, path) }
        var label: String { "\(flag) \(path)" }
    }

    /// Throws `LNTuneError.sameFile` for the first output that is an input or another output, and when
    /// `standardOutput` is checked and it is redirected into one of the inputs.
    public static func check(
        outputs: [Labeled], inputs: [Labeled], standardOutput: Bool = false
    ) throws(LNTuneError) {
        var known: [(identity: FileIdentity, label: String)] = []
        for input in inputs {
            for file in files(of: input.path) {
                if let identity = FileIdentity(path: file) {
                    known.append((identity, file == input.path ? input.label : "\(input.label) (\(file))"))
                }
            }
        }
        if standardOutput, let identity = FileIdentity.standardOutput,
            let match = known.first(where: { $0.identity == identity })
        {
            throw .sameFile(output: "standard output", input: match.label)
        }
        var resolvedOutputs: [(path: String, label: String)] = []
        for output in outputs {
            if let identity = FileIdentity(path: output.path),
                let match = known.first(where: { $0.identity == identity })
            {
                throw .sameFile(output: output.label, input: match.label)
            }
            let resolved = resolvedPath(output.path)
            if let other = resolvedOutputs.first(where: { $0.path == resolved }) {
                throw .sameFile(output: output.label, input: other.label)
            }
            resolvedOutputs.append((resolved, output.label))
        }
    }

    /// `path` itself, or the regular files under it when it is a folder (at most `limit`, which covers a
    /// dataset or model folder; a huge tree is not walked).
    static func files(of path: String, limit: Int = 10_000) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            return [path]
        }
        guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
        var found: [String] = []
        while found.count < limit, let name = walker.nextObject() as? String {
            found.append((path as NSString).appendingPathComponent(name))
        }
        return found
    }

    /// The absolute path with symbolic links of its folder resolved (the file itself may not exist yet).
    static func resolvedPath(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent)
            .path
    }
}

/// A file's device and inode: equal for every name of the same file.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        (device, inode) = (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Standard output's file when it is redirected to a regular file (a terminal or pipe cannot be an input).
    static var standardOutput: FileIdentity? {
        var info = stat()
        guard fstat(STDOUT_FILENO, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    private init(device: UInt64, inode: UInt64) { (self.device, self.inode) = (device, inode) }
}
