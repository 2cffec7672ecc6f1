import Foundation

/// JSON as Python's `json.dump(obj, indent=2, sort_keys=True)` writes it, which is how AdapterHub saves
/// `adapter_config.json`. Its own writer because the file's readers are Python dataclasses that test types:
/// AdapterHub takes `scaling: 4` (an int) for an unknown scaling mode, so a float must keep its `.0`, which
/// `JSONEncoder` drops.
enum AdapterHubJSON: Equatable, Decodable {
    case null
    case bool(Bool)
    case int(Int)
    /// Always written with a decimal point or an exponent (`4.0`, `1e-05`), as Python's `repr(float)`.
    case float(Double)
    case string(String)
    case array([AdapterHubJSON])
    case object([String: AdapterHubJSON])

    /// Reads any JSON value, telling `true` from `1` and `1` from `1.0` (which `JSONSerialization` does not on
    /// every platform).
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let x = try? c.decode(Double.self) {
            self = .float(x)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([AdapterHubJSON].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: AdapterHubJSON].self))
        }
    }

    /// A number as a Double (an int or a float), nil otherwise.
    var number: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .float(x): return x
        default: return nil
        }
    }

    /// The value as Python prints it in an error message.
    var shortText: String {
        switch self {
        case .array, .object: return text.replacingOccurrences(of: "\n *", with: " ", options: .regularExpression)
        default: return text
        }
    }

    /// The document, ending with no newline (as `json.dump` leaves it).
    var text: String { render(indent: 0) }

    private func render(indent: Int) -> String {
        let pad = String(repeating: " ", count: indent + 2), closing = String(repeating: " ", count: indent)
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .float(x): return Self.python(x)
        case let .string(s): return Self.quoted(s)
        case let .array(items):
            guard !items.isEmpty else { return "[]" }
            return "[\n" + items.map { pad + $0.render(indent: indent + 2) }.joined(separator: ",\n") + "\n\(closing)]"
        case let .object(members):
            guard !members.isEmpty else { return "{}" }
            let lines = members.keys.sorted().map { key in
                pad + Self.quoted(key) + ": " + (members[key] ?? .null).render(indent: indent + 2)
            }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(closing)}"
        }
    }

    /// Python's `repr` of a float: the shortest round-tripping digits (as Swift's description), `4.0` for an
    /// integral value, `1e-05` below 1e-4 (Swift writes that form too).
    static func python(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "Infinity" : "-Infinity") }
        return x.description
    }

    /// A JSON string literal (UTF-8 as is, `/` unescaped; Python's `json` reads it the same).
    static func quoted(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding a String cannot fail; the fallback only satisfies the signature.
        return (try? encoder.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
