import ArgumentParser

/// Path flags checked alike by every command: an empty path (`--out ""`, a variable that was not set) is a
/// usage error, not the current folder.
enum PathFlags {
    /// Refuses the first flag whose value is given but empty or blank.
    static func refuseEmpty(_ flags: [(flag: String, path: String?)]) throws {
        for (flag, path) in flags where path.map({ $0.allSatisfy(\.isWhitespace) }) == true {
            throw ValidationError("\(flag) is empty; give a path")
        }
    }
}
