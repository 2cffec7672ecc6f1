import Foundation
import GPT2

/// LN-Tuning (Qi et al. 2022, arXiv 2211.08682): train only the gain γ and bias β of LayerNorms —
/// `ln_1` (before attention), `ln_2` (before the MLP) in every block, and `ln_f`.
///
/// The options reproduce the paper's ablations: which terms, which modules, which layers. The adapter is
/// PEFT's LN_TUNING (see `LNAdapterLayout.swift`).
public struct LNTuning: TuningMethod, Equatable {
    public var options: LNTuningOptions
    public init(options: LNTuningOptions = .init()) { self.options = options }

    public var name: String { "ln" }
    public var optionsDescription: String { options.description }
    /// LayerNorm values tolerate (and need) far larger steps than full fine-tuning.
    public var defaultLearningRate: Double { 1e-3 }

    public func validate(for config: GPT2Config) throws(TuningError) { try options.validate(layerCount: config.nLayer) }

    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] {
        options.tensors(layerCount: layout.config.nLayer)
    }

    /// Both terms of every selected LayerNorm, even when an ablation trains one: PEFT replaces whole modules
    /// (the untrained term then keeps the base value).
    public func storedTensors(in layout: ParameterLayout) -> [GPT2Tensor] {
        options.selectedNorms(layerCount: layout.config.nLayer).flatMap { norm in LNTerm.allCases.map(norm.tensor) }
    }

    public func encodeOptions(to container: inout KeyedEncodingContainer<MethodJSONKey>) throws {
        try container.encode(options, forKey: MethodJSONKey(name))
    }

    static let entry = TuningMethodEntry(
        name: "ln", summary: "LN-Tuning (Qi et al. 2022): LayerNorm gains and biases",
        options: [
            MethodOption(
                "ln-terms", .value(placeholder: "gain,bias"), help: "LayerNorm terms to train (default both)."),
            MethodOption(
                "ln-modules", .value(placeholder: "attn,mlp,final"),
                help: "LayerNorms to train: ln_1 (attn), ln_2 (mlp), ln_f (final); default all."),
            MethodOption(
                "ln-layers", .value(placeholder: "FIRST-LAST"),
                help: "Blocks whose ln_1/ln_2 train: FIRST-LAST, N or all (ln_f follows --ln-modules)."),
        ],
        lnCombinationRefusal: "ln is LN-Tuning already",
        make: { arguments throws(TuningError) in
            LNTuning(
                options: try LNTuningOptions.parse(
                    terms: arguments.string("ln-terms"), modules: arguments.string("ln-modules"),
                    layers: arguments.string("ln-layers")))
        },
        decode: { container in
            LNTuning(options: try container.decode(LNTuningOptions.self, forKey: MethodJSONKey("ln")))
        },
        peftType: "LN_TUNING",
        readPEFT: { folder, config, model throws(TuningError) in
            try LNTuning.readPEFT(folder, config: config, model: model)
        })
}

extension TuningConfiguration {
    /// LN-Tuning with `options` (default: the paper's method, every LayerNorm).
    public static func ln(_ options: LNTuningOptions = .init()) -> TuningConfiguration {
        TuningConfiguration(LNTuning(options: options))
    }
}
