import Foundation
import GPT2

/// Bottleneck adapters (AdapterHub's `BnConfig` family): the base model stays frozen; small down/up
/// projections at its sub-layers train (see `BottleneckOptions`, `BottleneckModule`).
///
/// - `adapter`: Pfeiffer et al.'s sequential adapter after the FFN (`SeqBnConfig`);
/// - `adapter-houlsby`: Houlsby et al.'s, after attention and after the FFN (`DoubleSeqBnConfig`);
/// - `par-adapter`: He et al.'s parallel adapter beside the FFN (`ParBnConfig`).
///
/// The adapter folder is AdapterHub's (`AdapterHubLayout.swift`): `model.load_adapter(DIR, use_safetensors=True)`
/// in the `adapters` library loads it, and LNTune reads what that library saves.
public struct BottleneckTuning: TuningMethod, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case sequential = "adapter"
        case houlsby = "adapter-houlsby"
        case parallel = "par-adapter"

        /// AdapterHub's config of this kind.
        public var defaults: BottleneckOptions {
            switch self {
            case .sequential: return .sequential
            case .houlsby: return .houlsby
            case .parallel: return .parallel
            }
        }

        /// The kind a set of options reads as: parallel, on both sub-layers, or one sequential adapter.
        init(_ options: BottleneckOptions) {
            if options.placement == .parallel {
                self = .parallel
            } else {
                self = options.attention && options.mlp ? .houlsby : .sequential
            }
        }
    }

    public var kind: Kind
    public var options: BottleneckOptions

    public init(_ kind: Kind, options: BottleneckOptions? = nil) {
        self.kind = kind
        self.options = options ?? kind.defaults
    }

    public var name: String { kind.rawValue }
    public var optionsDescription: String { options.description }
    /// The rate AdapterHub's training examples use for bottleneck adapters.
    public var defaultLearningRate: Double { 1e-4 }

    public func validate(for config: GPT2Config) throws(TuningError) { try options.validate(layerCount: config.nLayer) }
    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] { [] }

    public func makeExtension(for config: GPT2Config) -> (any TrainableExtension)? {
        BottleneckModule(config: config, options: options)
    }

    public func encodeOptions(to container: inout KeyedEncodingContainer<MethodJSONKey>) throws {
        try container.encode(options, forKey: MethodJSONKey(name))
    }

    static func entry(_ kind: Kind, summary: String) -> TuningMethodEntry {
        TuningMethodEntry(
            name: kind.rawValue, summary: summary, options: BottleneckOptions.commandLineOptions,
            lnCombinationRefusal: nil,
            make: { arguments throws(TuningError) in
                BottleneckTuning(kind, options: try BottleneckOptions(arguments: arguments, defaults: kind.defaults))
            },
            decode: { container in
                BottleneckTuning(
                    kind, options: try container.decode(BottleneckOptions.self, forKey: MethodJSONKey(kind.rawValue)))
            })
    }

    static let sequentialEntry = entry(
        .sequential, summary: "Bottleneck adapter after the FFN (Pfeiffer; AdapterHub SeqBnConfig)")
    static let houlsbyEntry = entry(
        .houlsby, summary: "Bottleneck adapters after attention and the FFN (Houlsby; AdapterHub DoubleSeqBnConfig)")
    static let parallelEntry = entry(
        .parallel, summary: "Parallel bottleneck adapter beside the FFN (He et al.; AdapterHub ParBnConfig)")
}

extension TuningConfiguration {
    /// A bottleneck adapter of `kind` (AdapterHub's defaults when `options` is nil).
    public static func bottleneck(_ kind: BottleneckTuning.Kind, options: BottleneckOptions? = nil)
        -> TuningConfiguration
    {
        TuningConfiguration(BottleneckTuning(kind, options: options))
    }

    /// A bottleneck adapter and LN-Tuning together (`adapter+ln`, `par-adapter+ln`, …).
    public static func bottleneckLN(
        _ kind: BottleneckTuning.Kind, options: BottleneckOptions? = nil, ln: LNTuningOptions = .init()
    ) -> TuningConfiguration {
        TuningConfiguration(LNCombination(base: BottleneckTuning(kind, options: options), ln: LNTuning(options: ln)))
    }
}
