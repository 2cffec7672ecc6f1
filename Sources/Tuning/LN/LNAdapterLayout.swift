import Foundation
import GPT2

/// LN-Tuning adapters in PEFT's LN_TUNING layout: `adapter_model.safetensors` with
/// `base_model.model.transformer.h.{i}.ln_1.ln_tuning_layers.weight` (and `.bias`) for every selected
/// LayerNorm, and an `adapter_config.json` whose `target_modules` names them.
extension LNTuning {
    public func writeAdapter(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        try AdapterFiles.removeStaleManifest(in: directory)
        let config = adapter.modelConfig
        var tensors: [(name: String, shape: [Int], data: [Float])] = []
        for tensor in storedTensors(in: ParameterLayout(config: config)) {
            guard let values = adapter.tensors[tensor] else {
                throw .invalidAdapter(
                    file: directory.path, reason: "the adapter has no values for \(tensor.huggingFaceName)")
            }
            tensors.append((name: Self.peftKey(tensor), shape: [config.nEmbd], data: values))
        }
        tensors.sort { $0.name < $1.name }
        try AdapterFiles.writeWeights(tensors, to: directory.appendingPathComponent(PEFTAdapterConfig.weightsFileName))
        try AdapterJSON.write(
            peftConfig(layerCount: config.nLayer, baseModel: adapter.baseModel, recording: adapter.configuration),
            to: directory.appendingPathComponent(PEFTAdapterConfig.fileName))
    }

    /// The whole modules by name when every layer trains (PEFT's own default for GPT-2 is
    /// `["ln_1", "ln_2", "ln_f"]`), else one explicit entry per module (`h.12.ln_1`).
    func peftConfig(layerCount: Int, baseModel: String?, recording: TuningConfiguration) -> PEFTAdapterConfig {
        let names: [String]
        if options.layers == nil {
            names = options.modules.sorted().map(\.huggingFaceName)
        } else {
            names = options.selectedNorms(layerCount: layerCount).map(\.huggingFaceName)
        }
        var config = PEFTAdapterConfig(peftType: "LN_TUNING")
        config.fillCommon(baseModel: baseModel, recording: recording)
        config.targetModules = .names(names)
        return config
    }

    /// A PEFT LN_TUNING folder. The options are LNTune's record when the file has one (an ablation trains one
    /// term, which the tensors cannot tell), else what the tensors it holds imply.
    static func readPEFT(_ directory: URL, config peft: PEFTAdapterConfig, model: GPT2Config) throws(TuningError)
        -> Adapter
    {
        let file = try AdapterFiles.openWeights(directory)
        let tensors = try readLayerNorms(file, modelConfig: model)
        try LNTargetModules.check(
            peft.targetModules, held: Set(tensors.keys.compactMap(\.layerNormModule)), model: model,
            configPath: directory.appendingPathComponent(PEFTAdapterConfig.fileName).path, recorded: peft.lntune != nil)
        let recorded = peft.lntune?.method.parts.lazy.compactMap { $0 as? LNTuning }.first
        return Adapter(
            configuration: TuningConfiguration(recorded ?? inferred(from: Set(tensors.keys), model)),
            modelConfig: model, tensors: tensors, baseModel: peft.baseModelNameOrPath)
    }

    private static func readLayerNorms(_ file: SafeTensorsFile, modelConfig: GPT2Config) throws(TuningError)
        -> [GPT2Tensor: [Float]]
    {
        let layout = ParameterLayout(config: modelConfig)
        var tensors: [GPT2Tensor: [Float]] = [:]
        for key in file.tensorNames {
            guard let name = modelName(peftKey: key) else {
                throw .invalidAdapter(
                    file: file.url.path,
                    reason: "tensor '\(key)' is not an LN-Tuning tensor of a GPT-2"
                        + " (expected base_model.model.transformer.….ln_tuning_layers.weight|bias)")
            }
            guard let slot = layout.slot(named: name), slot.tensor.isLayerNorm else {
                throw .invalidAdapter(
                    file: file.url.path,
                    reason: "tensor '\(key)' names no LayerNorm of this model"
                        + " (\(modelConfig.nLayer) layers, h.0–h.\(modelConfig.nLayer - 1)): was it trained on another model size?"
                )
            }
            tensors[slot.tensor] = try AdapterFiles.read(key, from: file, expected: slot.shape)
        }
        if tensors.isEmpty { throw .invalidAdapter(file: file.url.path, reason: "the file holds no tensors") }
        return tensors
    }

    /// The options a PEFT file without LNTune's record implies: the modules it holds, over the layer span it
    /// covers (PEFT always stores both terms).
    private static func inferred(from tensors: Set<GPT2Tensor>, _ config: GPT2Config) -> LNTuning {
        var modules = Set<LNModule>()
        var layers = Set<Int>()
        for tensor in tensors {
            switch tensor {
            case .finalNormWeight, .finalNormBias: modules.insert(.final)
            case let .block(l, t):
                modules.insert(t == .ln1Weight || t == .ln1Bias ? .attn : .mlp)
                layers.insert(l)
            default: break
            }
        }
        let all = layers.isEmpty || layers.count == config.nLayer
        let span = all ? nil : layers.min().flatMap { lo in layers.max().map { lo...$0 } }
        return LNTuning(options: LNTuningOptions(modules: modules, layers: span))
    }

    private static let peftPrefix = "base_model.model.transformer."
    private static let peftInfix = ".ln_tuning_layers."

    /// `h.0.ln_1.weight` → `base_model.model.transformer.h.0.ln_1.ln_tuning_layers.weight`.
    static func peftKey(_ tensor: GPT2Tensor) -> String {
        let name = tensor.huggingFaceName
        guard let dot = name.lastIndex(of: ".") else { return peftPrefix + name }
        return peftPrefix + name[..<dot] + peftInfix + name[name.index(after: dot)...]
    }

    /// The inverse of `peftKey`: the model's HF name (`h.0.ln_1.weight`), or nil for any other key.
    static func modelName(peftKey key: String) -> String? {
        guard key.hasPrefix(peftPrefix), let infix = key.range(of: peftInfix) else { return nil }
        return String(key[key.index(key.startIndex, offsetBy: peftPrefix.count)..<infix.lowerBound]) + "."
            + key[infix.upperBound...]
    }
}
