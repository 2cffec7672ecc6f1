import Foundation

/// The JSON form of benchmark output: one object per line, keys sorted, so scripts read it line by line.
enum JSONLine {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every value encoded here is a struct of strings and finite numbers; a failure would be a bug in the
        // caller's type, reported in the output rather than trapped on.
        guard let data = try? encoder.encode(value) else { return #"{"error":"unencodable benchmark result"}"# }
        return String(decoding: data, as: UTF8.self)
    }
}
