import TextIO

/// Typed access to the members of a JSON record, turning a missing key, a wrong type or an empty text into
/// the `DatasetError` that names the file and the record's line.
struct JSONFields {
    let value: JSONValue
    let file: String

    private func member(_ key: String) throws -> JSONValue {
        guard value.isObject else {
            throw DatasetError.badValue(
                file: file, line: value.line, field: key, reason: "the record is \(value.typeName), not an object")
        }
        guard let member = value[key] else { throw DatasetError.missingField(file: file, line: value.line, field: key) }
        return member
    }

    func string(_ key: String) throws -> String {
        let member = try member(key)
        guard let text = member.string else {
            throw DatasetError.badValue(
                file: file, line: member.line, field: key, reason: "expected a string, found \(member.typeName)")
        }
        return text
    }

    /// A string that must hold more than whitespace (a source or a target).
    func nonEmptyString(_ key: String) throws -> String {
        let text = try string(key)
        guard !text.allSatisfy(\.isWhitespace) else {
            throw DatasetError.emptyField(file: file, line: value[key]?.line ?? value.line, field: key)
        }
        return text
    }

    func array(_ key: String) throws -> [JSONValue] {
        let member = try member(key)
        guard let elements = member.array else {
            throw DatasetError.badValue(
                file: file, line: member.line, field: key, reason: "expected an array, found \(member.typeName)")
        }
        return elements
    }

    func has(_ key: String) -> Bool { value[key] != nil }

    /// An identifier that may be written as a string or a number; nil when absent.
    func identifier(_ key: String) throws -> String? {
        guard let member = value[key] else { return nil }
        switch member.kind {
        case .string(let s): return s
        case .number(let n): return n
        default:
            throw DatasetError.badValue(
                file: file, line: member.line, field: key,
                reason: "expected a string or number, found \(member.typeName)")
        }
    }
}

extension JSONValue {
    /// Parses a file whose document is a JSON array of records (DART, SAMSum).
    static func parseArray(_ file: TextFile) throws -> [JSONValue] {
        let root = try parse(file)
        guard let records = root.array else {
            throw DatasetError.badValue(
                file: file.name, line: root.line, field: "(top level)",
                reason: "expected an array, found \(root.typeName)")
        }
        return records
    }
}
