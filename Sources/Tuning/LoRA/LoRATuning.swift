import Foundation
import GPT2

/// LoRA (Hu et al. 2021): the base model stays frozen; low-rank matrices beside the targeted Linears train
/// (see `LoRAOptions`, `LoRAModule`). The adapter is PEFT's LORA (`LoRAAdapterLayout.swift`); `lntune merge`
/// folds it into the weights.
public struct LoRATuning: TuningMethod, Equatable {
    public var options: LoRAOptions
    public init(options: LoRAOptions = .init()) { self.options = options }

    public var name: String { "lora" }
    public var optionsDescription: String { options.description }
    /// Hu et al.'s rate for GPT-2 on E2E (2e-4, with AdamW and linear decay).
    public var defaultLearningRate: Double { 2e-4 }

    public func validate(for config: GPT2Config) throws(TuningError) { try options.validate(layerCount: config.nLayer) }
    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] { [] }

    /// Nil only for targets that name nothing, which `validate` refuses first.
    public func makeExtension(for config: GPT2Config) -> (any TrainableExtension)? {
        try? LoRAModule(config: config, options: options)
    }

    public func encodeOptions(to container: inout KeyedEncodingContainer<MethodJSONKey>) throws {
        try container.encode(options, forKey: MethodJSONKey(name))
    }

    static let entry = TuningMethodEntry(
        name: "lora", summary: "LoRA (Hu et al. 2021): low-rank updates beside the attention/MLP Linears",
        options: [
            MethodOption(
                "lora-r", .value(placeholder: "N"),
                help: LoRAOptions.rankBound.help("Rank of the update (default 8, PEFT's).")),
            MethodOption(
                "lora-alpha", .value(placeholder: "X"),
                help: LoRAOptions.alphaBound.help("lora_alpha; the update is scaled by alpha/r (default 8).")),
            MethodOption(
                "lora-dropout", .value(placeholder: "P"),
                help: LoRAOptions.dropoutBound.help("Dropout on the input of the update (default 0).")),
            MethodOption(
                "lora-targets", .value(placeholder: "c_attn,c_proj,…"),
                help:
                    "Modules to adapt, matched as PEFT's target_modules: c_attn (default), c_proj (both projections),"
                    + " attn.c_proj, c_fc, mlp.c_proj, h.N.attn.c_attn."),
        ],
        lnCombinationRefusal: nil,
        make: { arguments throws(TuningError) in LoRATuning(options: try LoRAOptions(arguments: arguments)) },
        decode: { container in
            LoRATuning(options: try container.decode(LoRAOptions.self, forKey: MethodJSONKey("lora")))
        },
        peftType: "LORA",
        readPEFT: { folder, config, model throws(TuningError) in
            try LoRATuning.readPEFT(folder, model: model)
        })
}

extension LoRAOptions {
    /// The command-line form: `--lora-r`, `--lora-alpha`, `--lora-dropout`, `--lora-targets a,b`.
    init(arguments: MethodArguments) throws(TuningError) {
        let defaults = LoRAOptions()
        var targets = defaults.targets
        if let text = arguments.string("lora-targets") {
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
                throw .invalidOption(
                    name: "lora-targets", value: text, hint: "expected module names separated by commas")
            }
            targets = .names(names)
        }
        self.init(
            rank: try LoRAOptions.rankBound.read(arguments).map { Int($0) } ?? defaults.rank,
            alpha: try LoRAOptions.alphaBound.read(arguments) ?? defaults.alpha,
            dropout: Float(try LoRAOptions.dropoutBound.read(arguments) ?? Double(defaults.dropout)), targets: targets)
        // The targets are checked against the model by `validate(for:)`; the numbers can be checked now.
        try validate()
    }
}

extension TuningConfiguration {
    /// LoRA with `options` (default: PEFT's r 8, alpha 8 on `c_attn`).
    public static func lora(_ options: LoRAOptions = .init()) -> TuningConfiguration {
        TuningConfiguration(LoRATuning(options: options))
    }

    /// LoRA and LN-Tuning together.
    public static func loraLN(lora: LoRAOptions = .init(), ln: LNTuningOptions = .init()) -> TuningConfiguration {
        TuningConfiguration(LNCombination(base: LoRATuning(options: lora), ln: LNTuning(options: ln)))
    }
}
