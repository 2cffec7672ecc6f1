import Foundation
import GPT2

/// Prefix-Tuning (Li & Liang 2021): only the prefix slots train (see `PrefixTuningOptions`). The adapter is
/// PEFT's PREFIX_TUNING, `prompt_embeddings` `[P, 2·L·d]` (the reparameterisation MLP's output; the MLP is
/// dropped after training).
public struct PrefixTuning: TuningMethod, Equatable {
    public var options: PrefixTuningOptions
    public init(options: PrefixTuningOptions = .init()) { self.options = options }

    public var name: String { "prefix" }
    public var optionsDescription: String { options.description }
    /// Li & Liang trained prefixes at 5e-5 to 8e-5 through the MLP.
    public var defaultLearningRate: Double { 5e-5 }
    public var prefix: PrefixTuningOptions? { options }

    public func validate(for config: GPT2Config) throws(TuningError) {
        try options.validate()
        try options.validateSize(config: config)
    }
    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] { [] }

    public func encodeOptions(to container: inout KeyedEncodingContainer<MethodJSONKey>) throws {
        try container.encode(options, forKey: MethodJSONKey(name))
    }

    static let entry = TuningMethodEntry(
        name: "prefix", summary: "Prefix-Tuning (Li & Liang 2021): trainable key/value prefixes",
        options: [
            MethodOption(
                "prefix-length", .value(placeholder: "N"),
                help:
                    "Virtual tokens in front of every attention layer (default \(PrefixTuningOptions().virtualTokens))."
            ),
            MethodOption(
                "prefix-hidden", .value(placeholder: "N"),
                help: "Hidden width of the reparameterisation MLP (default 512)."),
            MethodOption("prefix-direct", .flag, help: "Train the key/value slots directly, without the MLP."),
        ],
        lnCombinationRefusal: nil,
        make: { arguments throws(TuningError) in PrefixTuning(options: try PrefixTuningOptions(arguments: arguments)) },
        decode: { container in
            PrefixTuning(options: try container.decode(PrefixTuningOptions.self, forKey: MethodJSONKey("prefix")))
        },
        peftType: "PREFIX_TUNING",
        readPEFT: { folder, config, model throws(TuningError) in
            try PrefixTuning.readPEFT(folder, config: config, model: model)
        })
}

extension PrefixTuningOptions {
    /// The command-line form: `--prefix-length`, `--prefix-hidden` or `--prefix-direct` (not both), over
    /// `defaults` (PEFT-style Prefix-Tuning's, or MAM's).
    init(arguments: MethodArguments, defaults: PrefixTuningOptions = .init()) throws(TuningError) {
        let hidden = try arguments.int("prefix-hidden")
        // The library accepts an empty prefix (it is the base model, which tests check); asked for on the
        // command line it would train nothing.
        if let length = try arguments.int("prefix-length"), length < 1 {
            throw .invalidOption(name: "prefix-length", value: String(length), hint: "must be at least 1")
        }
        if arguments.flag("prefix-direct"), let hidden {
            throw .invalidOption(
                name: "prefix-hidden", value: String(hidden), hint: "--prefix-direct trains the slots without the MLP")
        }
        self.init(
            virtualTokens: try arguments.int("prefix-length") ?? defaults.virtualTokens,
            projection: arguments.flag("prefix-direct")
                ? .direct : hidden.map { .mlp(hidden: $0) } ?? defaults.projection,
            shiftsPositions: defaults.shiftsPositions)
        try validate()
    }
}

extension TuningConfiguration {
    /// Prefix-Tuning with `options` (default: 10 slots through a 512-wide MLP).
    public static func prefix(_ options: PrefixTuningOptions = .init()) -> TuningConfiguration {
        TuningConfiguration(PrefixTuning(options: options))
    }

    /// Prefix-Tuning and LN-Tuning together — the combination Qi et al. report as best.
    public static func prefixLN(prefix: PrefixTuningOptions = .init(), ln: LNTuningOptions = .init())
        -> TuningConfiguration
    {
        TuningConfiguration(LNCombination(base: PrefixTuning(options: prefix), ln: LNTuning(options: ln)))
    }
}
