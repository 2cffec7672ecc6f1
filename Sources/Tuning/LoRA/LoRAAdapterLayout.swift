import Foundation
import GPT2

/// LoRA adapters in PEFT's LORA layout: `adapter_model.safetensors` with
/// `base_model.model.transformer.h.{l}.{attn.c_attn}.lora_A.weight` `[r, in]` and `….lora_B.weight` `[out, r]`
/// for every targeted Linear, and an `adapter_config.json` with `r`, `lora_alpha`, `lora_dropout`,
/// `target_modules` and `fan_in_fan_out: true` (GPT-2's Conv1D). `PeftModel.from_pretrained(base, DIR)` loads it.
extension LoRATuning {
    static let peftPrefix = "base_model.model."

    public func writeAdapter(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        try AdapterFiles.removeStaleManifest(in: directory)
        guard let module = adapter.extensionModule as? LoRAModule, module.options == options,
            Adapter.sameShape(module.config, adapter.modelConfig)
        else {
            throw .invalidAdapter(
                file: directory.path, reason: "the adapter holds no LoRA matrices for \(options) on this model")
        }
        let tensors = module.tensors.map { t in
            (name: Self.peftPrefix + t.name, shape: t.shape, data: Array(module.buffer(t)))
        }
        try AdapterFiles.writeWeights(
            tensors.sorted { $0.name < $1.name },
            to: directory.appendingPathComponent(PEFTAdapterConfig.weightsFileName))
        try AdapterJSON.write(
            LoRAAdapterConfig(options: options, baseModel: adapter.baseModel, recording: adapter.configuration),
            to: directory.appendingPathComponent(PEFTAdapterConfig.fileName))
    }

    /// A PEFT LORA folder: the options are the config's (PEFT's defaults for absent keys); the file must hold
    /// exactly an A and a B of the config's rank for every Linear its `target_modules` names in this model.
    static func readPEFT(_ directory: URL, model c: GPT2Config) throws(TuningError) -> Adapter {
        let configURL = directory.appendingPathComponent(PEFTAdapterConfig.fileName)
        try LoRAAdapterConfig.checkFields(configURL)
        let peft = try AdapterJSON.read(LoRAAdapterConfig.self, from: configURL)
        let options = peft.options
        do {
            try options.validate(layerCount: c.nLayer)
        } catch let TuningError.invalidOption(name, value, hint) {
            throw .invalidAdapter(file: configURL.path, reason: "\(name) '\(value)': \(hint)")
        }
        let module = try LoRAModule(config: c, options: options)
        let file = try AdapterFiles.openWeights(directory)
        let expected = Set(module.tensors.map { peftPrefix + $0.name })
        if let stray = file.tensorNames.sorted().first(where: { !expected.contains($0) }) {
            throw .invalidAdapter(
                file: file.url.path,
                reason: "unexpected tensor '\(stray)': target_modules \(options.targetsText) names no such LoRA matrix"
                    + " of this \(c.nLayer)-block model")
        }
        for t in module.tensors {
            let values = try AdapterFiles.read(peftPrefix + t.name, from: file, expected: t.shape)
            _ = module.buffer(t).update(fromContentsOf: values)
        }
        return Adapter(
            configuration: .lora(options), modelConfig: c, extensionModule: module,
            baseModel: peft.peft.baseModelNameOrPath)
    }
}
