/// A tuning method with its options as plain data: what run records, adapter configs (`"lntune"` key) and
/// training checkpoints store, as `{"method": "prefix+ln", "ln": {…}, "prefix": {…}}` — the method's name
/// and one object of options per part that has options. `TuningMethods` maps the name back to the method.
public struct TuningConfiguration: Sendable, Codable, Equatable, CustomStringConvertible {
    public let method: any TuningMethod

    public init(_ method: any TuningMethod) { self.method = method }

    public var name: String { method.name }
    public var description: String { method.description }

    public static func == (a: Self, b: Self) -> Bool { a.method.isEqual(to: b.method) }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: MethodJSONKey.self)
        let name = try c.decode(String.self, forKey: .method)
        do {
            method = try TuningMethods.decode(name: name, from: c)
        } catch let TuningError.invalidOption(_, _, hint) {
            throw DecodingError.dataCorruptedError(forKey: .method, in: c, debugDescription: hint)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: MethodJSONKey.self)
        try c.encode(name, forKey: .method)
        try method.encodeOptions(to: &c)
    }
}
