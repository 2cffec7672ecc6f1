import GPT2

/// Prefix-Tuning alone: only the prefix slots train.
public struct PrefixTuning: TuningMethod, Equatable {
    public var options: PrefixTuningOptions
    public init(options: PrefixTuningOptions = .init()) { self.options = options }
    public var kind: TuningMethodKind { .prefix }
    public var prefix: PrefixTuningOptions? { options }
    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] { [] }
    public var description: String { "prefix (\(options))" }
    public var configuration: TuningConfiguration { .prefix(options) }
}

/// Prefix-Tuning and LN-Tuning together — the combination Qi et al. report as best (PEFT cannot combine them).
public struct PrefixLNTuning: TuningMethod, Equatable {
    public var prefixOptions: PrefixTuningOptions
    public var lnOptions: LNTuningOptions
    public init(prefix: PrefixTuningOptions = .init(), ln: LNTuningOptions = .init()) {
        prefixOptions = prefix
        lnOptions = ln
    }
    public var kind: TuningMethodKind { .prefixLN }
    public var prefix: PrefixTuningOptions? { prefixOptions }
    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] {
        lnOptions.tensors(layerCount: layout.config.nLayer)
    }
    public var description: String { "prefix+ln (\(prefixOptions); \(lnOptions))" }
    public var configuration: TuningConfiguration { .prefixLN(prefix: prefixOptions, ln: lnOptions) }
}
