/// A tuning method with its options as plain data: what adapter configs (`"lntune"` key) and training
/// checkpoints record, and what rebuilds the method when they are read back.
public enum TuningConfiguration: Equatable, Sendable, Codable, CustomStringConvertible {
    case ln(LNTuningOptions)
    case prefix(PrefixTuningOptions)
    case prefixLN(prefix: PrefixTuningOptions, ln: LNTuningOptions)
    case bitfit
    case full

    public var kind: TuningMethodKind {
        switch self {
        case .ln: return .ln
        case .prefix: return .prefix
        case .prefixLN: return .prefixLN
        case .bitfit: return .bitfit
        case .full: return .full
        }
    }

    /// The method these options describe.
    public var method: any TuningMethod {
        switch self {
        case let .ln(options): return LNTuning(options: options)
        case let .prefix(options): return PrefixTuning(options: options)
        case let .prefixLN(prefix, ln): return PrefixLNTuning(prefix: prefix, ln: ln)
        case .bitfit: return BitFit()
        case .full: return FullFineTuning()
        }
    }

    /// The method's default options (the paper settings: every LayerNorm; 10 prefix slots through a 512-wide MLP).
    public static func defaults(for kind: TuningMethodKind) -> TuningConfiguration {
        switch kind {
        case .ln: return .ln(LNTuningOptions())
        case .prefix: return .prefix(PrefixTuningOptions())
        case .prefixLN: return .prefixLN(prefix: PrefixTuningOptions(), ln: LNTuningOptions())
        case .bitfit: return .bitfit
        case .full: return .full
        }
    }

    /// The LayerNorm options, for the methods that tune LayerNorms.
    public var lnOptions: LNTuningOptions? {
        switch self {
        case let .ln(options), let .prefixLN(_, options): return options
        default: return nil
        }
    }

    /// The prefix options, for the methods that add a prefix.
    public var prefixOptions: PrefixTuningOptions? {
        switch self {
        case let .prefix(options), let .prefixLN(options, _): return options
        default: return nil
        }
    }

    /// Checks the options against a model with `layerCount` blocks.
    public func validate(layerCount: Int) throws(TuningError) {
        try lnOptions?.validate(layerCount: layerCount)
        try prefixOptions?.validate()
    }

    public var description: String { method.description }

    // A flat, readable JSON form: {"method": "prefix+ln", "ln": {...}, "prefix": {...}}.
    private enum CodingKeys: String, CodingKey { case method, ln, prefix }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .method)
        guard let kind = TuningMethodKind(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .method, in: c,
                debugDescription: "unknown method '\(name)'; expected one of "
                    + TuningMethodKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        switch kind {
        case .ln: self = .ln(try c.decode(LNTuningOptions.self, forKey: .ln))
        case .prefix: self = .prefix(try c.decode(PrefixTuningOptions.self, forKey: .prefix))
        case .prefixLN:
            self = .prefixLN(
                prefix: try c.decode(PrefixTuningOptions.self, forKey: .prefix),
                ln: try c.decode(LNTuningOptions.self, forKey: .ln))
        case .bitfit: self = .bitfit
        case .full: self = .full
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .method)
        try c.encodeIfPresent(lnOptions, forKey: .ln)
        try c.encodeIfPresent(prefixOptions, forKey: .prefix)
    }
}
