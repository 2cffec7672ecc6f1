import Foundation
import GPT2

/// The Mix-And-Match adapter (He et al. 2022; AdapterHub's `MAMConfig`): Prefix-Tuning on every attention layer
/// plus a parallel bottleneck adapter beside every FFN, both training, the base model frozen.
///
/// The prefix is AdapterHub's (`adapters/methods/prefix_tuning.py`), whose math is PEFT's reparameterised
/// prefix — Embedding(P, d) → Linear(d, h) → tanh → Linear(h, 2·L·d), the rows viewed as
/// `[layer][key|value][head][headDim]` — so it trains through `PrefixParameters` and the model's prefix
/// slots. Where it differs from PEFT's: the token positions do not shift (the prefix is concatenated inside
/// each attention layer, after the KV cache, and takes none of `n_positions`); the saved adapter keeps the MLP
/// (`wte`, `control_trans.0`, `control_trans.2`) instead of its output; MAM's defaults are 30 slots through an
/// 800-wide MLP. The adapter folder is AdapterHub's (`AdapterHubLayout.swift`).
public struct MAMTuning: TuningMethod, Equatable {
    public var prefixOptions: PrefixTuningOptions
    public var adapter: BottleneckOptions

    /// `MAMConfig()`: `PrefixTuningConfig(bottleneck_size=800)` (30 slots) and `ParBnConfig()`.
    public static let defaultPrefix = PrefixTuningOptions(
        virtualTokens: 30, projection: .mlp(hidden: 800), shiftsPositions: false)

    public init(prefix: PrefixTuningOptions = Self.defaultPrefix, adapter: BottleneckOptions = .parallel) {
        prefixOptions = prefix
        self.adapter = adapter
    }

    public var name: String { "mam" }
    public var optionsDescription: String { "prefix \(prefixOptions); adapter \(adapter)" }
    /// The rate AdapterHub's training examples use for adapters.
    public var defaultLearningRate: Double { 1e-4 }
    public var prefix: PrefixTuningOptions? { prefixOptions }

    public func validate(for config: GPT2Config) throws(TuningError) {
        try prefixOptions.validate()
        guard !prefixOptions.shiftsPositions else {
            throw .invalidOption(
                name: "prefix", value: "shifted positions", hint: "MAM's prefix is AdapterHub's, which shifts none")
        }
        guard adapter.placement == .parallel else {
            throw .invalidOption(
                name: "adapter", value: adapter.placement.rawValue, hint: "MAM's adapter is parallel to the FFN")
        }
        try adapter.validate(layerCount: config.nLayer)
    }

    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] { [] }

    public func makeExtension(for config: GPT2Config) -> (any TrainableExtension)? {
        BottleneckModule(config: config, options: adapter)
    }

    private enum Keys: String, CodingKey { case prefix, adapter }

    public func encodeOptions(to container: inout KeyedEncodingContainer<MethodJSONKey>) throws {
        var nested = container.nestedContainer(keyedBy: Keys.self, forKey: MethodJSONKey(name))
        try nested.encode(prefixOptions, forKey: .prefix)
        try nested.encode(adapter, forKey: .adapter)
    }

    static let entry = TuningMethodEntry(
        name: "mam",
        summary: "MAM adapter (He et al. 2022): prefix on attention + parallel adapter (AdapterHub MAMConfig)",
        options: [
            MethodOption("prefix-length", .value(placeholder: "N"), help: "MAM's prefix slots (default 30)."),
            MethodOption("prefix-hidden", .value(placeholder: "N"), help: "MAM's prefix MLP width (default 800)."),
            MethodOption("prefix-direct", .flag, help: "Train MAM's prefix directly (AdapterHub's flat prefix)."),
        ] + BottleneckOptions.commandLineOptions,
        lnCombinationRefusal: nil,
        make: { arguments throws(TuningError) in
            MAMTuning(
                prefix: try PrefixTuningOptions(arguments: arguments, defaults: defaultPrefix),
                adapter: try BottleneckOptions(arguments: arguments, defaults: .parallel))
        },
        decode: { container in
            let nested = try container.nestedContainer(keyedBy: Keys.self, forKey: MethodJSONKey("mam"))
            return MAMTuning(
                prefix: try nested.decode(PrefixTuningOptions.self, forKey: .prefix),
                adapter: try nested.decode(BottleneckOptions.self, forKey: .adapter))
        })
}

extension TuningConfiguration {
    /// MAM with AdapterHub's defaults unless given.
    public static func mam(
        prefix: PrefixTuningOptions = MAMTuning.defaultPrefix, adapter: BottleneckOptions = .parallel
    )
        -> TuningConfiguration
    {
        TuningConfiguration(MAMTuning(prefix: prefix, adapter: adapter))
    }

    /// MAM and LN-Tuning together (`mam+ln`).
    public static func mamLN(
        prefix: PrefixTuningOptions = MAMTuning.defaultPrefix, adapter: BottleneckOptions = .parallel,
        ln: LNTuningOptions = .init()
    ) -> TuningConfiguration {
        TuningConfiguration(LNCombination(base: MAMTuning(prefix: prefix, adapter: adapter), ln: LNTuning(options: ln)))
    }
}
