import Foundation
import GPT2

extension AdapterFiles {
    /// Reads the adapter in `directory` for a model of shape `modelConfig`: a PEFT adapter (LN_TUNING or
    /// PREFIX_TUNING, as PEFT or LNTune saved it) or one of LNTune's layouts (`lntune_adapter.json`). Every
    /// tensor's shape is checked against the model before it is used.
    public static func read(from directory: URL, modelConfig: GPT2Config) throws(TuningError) -> Adapter {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw .missingFile(path: directory.path, hint: "no such adapter folder")
        }
        let manifest = directory.appendingPathComponent(LNTuneAdapterManifest.fileName)
        var adapter: Adapter
        if FileManager.default.fileExists(atPath: manifest.path) {
            adapter = try readLNTuneLayout(manifest: manifest, modelConfig: modelConfig)
        } else if FileManager.default.fileExists(
            atPath: directory.appendingPathComponent(PEFTAdapterConfig.fileName).path)
        {
            adapter = try readPEFT(directory, modelConfig: modelConfig)
        } else {
            throw .missingFile(
                path: directory.appendingPathComponent(PEFTAdapterConfig.fileName).path,
                hint: "not an adapter folder: expected adapter_config.json (PEFT) or lntune_adapter.json (LNTune)")
        }
        adapter.source = directory.path
        return adapter
    }

    /// A PEFT adapter folder: `adapter_config.json` + `adapter_model.safetensors`.
    static func readPEFT(_ directory: URL, modelConfig: GPT2Config) throws(TuningError) -> Adapter {
        let configURL = directory.appendingPathComponent(PEFTAdapterConfig.fileName)
        let peft = try PEFTAdapterConfig.read(from: configURL)
        if let task = peft.taskType, task != "CAUSAL_LM" {
            throw .invalidAdapter(
                file: configURL.path, reason: "task_type \(task); LNTune tunes causal language models (CAUSAL_LM)")
        }
        switch peft.peftType {
        case "LN_TUNING":
            let file = try openWeights(directory)
            let tensors = try readLayerNorms(file, modelConfig: modelConfig)
            let configuration =
                peft.lntune?.lnOptions.map { TuningConfiguration.ln($0) } ?? inferLN(Set(tensors.keys), modelConfig)
            return Adapter(
                configuration: configuration, modelConfig: modelConfig, tensors: tensors,
                baseModel: peft.baseModelNameOrPath)
        case "PREFIX_TUNING":
            let prefix = try readPrefix(directory, peft: peft, configURL: configURL, modelConfig: modelConfig)
            let recorded = peft.lntune?.prefixOptions
            let options = PrefixTuningOptions(
                virtualTokens: prefix.length,
                projection: recorded?.projection
                    ?? ((peft.prefixProjection ?? false)
                        ? .mlp(hidden: peft.encoderHiddenSize ?? modelConfig.nEmbd) : .direct))
            return Adapter(
                configuration: .prefix(options), modelConfig: modelConfig, prefix: prefix,
                baseModel: peft.baseModelNameOrPath)
        default:
            throw .unsupportedAdapter(file: configURL.path, type: peft.peftType)
        }
    }

    private static func openWeights(_ directory: URL, name: String = PEFTAdapterConfig.weightsFileName)
        throws(TuningError)
        -> SafeTensorsFile
    {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let pickle = FileManager.default.fileExists(
                atPath: directory.appendingPathComponent("adapter_model.bin").path)
            throw .missingFile(
                path: url.path,
                hint: pickle
                    ? "only adapter_model.bin (a pickle) is there; re-save it with save_pretrained(safe_serialization=True)"
                    : "the adapter's weights")
        }
        return try TuningError.wrapping { () throws(GPT2Error) in try SafeTensorsFile.open(url) }
    }

    /// One tensor, after checking its shape.
    static func read(_ name: String, from file: SafeTensorsFile, expected: [Int]) throws(TuningError) -> [Float] {
        guard let info = file.info(name) else { throw .model(.missingTensor(file: file.url.path, tensor: name)) }
        guard info.shape == expected else {
            throw .adapterShapeMismatch(file: file.url.path, tensor: name, expected: expected, found: info.shape)
        }
        return try TuningError.wrapping { () throws(GPT2Error) in try file.readFloat32(name) }
    }

    private static func readLayerNorms(_ file: SafeTensorsFile, modelConfig: GPT2Config) throws(TuningError)
        -> [GPT2Tensor: [Float]]
    {
        let layout = ParameterLayout(config: modelConfig)
        var tensors: [GPT2Tensor: [Float]] = [:]
        for key in file.tensorNames {
            guard let name = PEFTNames.modelName(lnKey: key) else {
                throw .invalidAdapter(
                    file: file.url.path,
                    reason: "tensor '\(key)' is not an LN-Tuning tensor of a GPT-2"
                        + " (expected base_model.model.transformer.….ln_tuning_layers.weight|bias)")
            }
            guard let slot = layout.slot(named: name), isLayerNorm(slot.tensor) else {
                throw .invalidAdapter(
                    file: file.url.path,
                    reason: "tensor '\(key)' names no LayerNorm of this model"
                        + " (\(modelConfig.nLayer) layers, h.0–h.\(modelConfig.nLayer - 1)): was it trained on another model size?"
                )
            }
            tensors[slot.tensor] = try read(key, from: file, expected: slot.shape)
        }
        if tensors.isEmpty { throw .invalidAdapter(file: file.url.path, reason: "the file holds no tensors") }
        return tensors
    }

    private static func readPrefix(_ directory: URL, peft: PEFTAdapterConfig, configURL: URL, modelConfig c: GPT2Config)
        throws(TuningError) -> PrefixSlots
    {
        if let n = peft.numTransformerSubmodules, n != 1 {
            throw .invalidAdapter(
                file: configURL.path, reason: "num_transformer_submodules \(n): LNTune's GPT-2 is a decoder (1)")
        }
        let file = try openWeights(directory)
        guard let info = file.info(PEFTNames.promptEmbeddings) else {
            throw .model(.missingTensor(file: file.url.path, tensor: PEFTNames.promptEmbeddings))
        }
        let rows = peft.numVirtualTokens ?? info.shape.first ?? 0
        let values = try read(
            PEFTNames.promptEmbeddings, from: file, expected: [rows, PrefixTuningOptions.rowWidth(config: c)])
        // The tensor fits; the config's shape fields must tell the same story (PEFT views the rows by them).
        for (key, value, model) in [
            ("num_layers", peft.numLayers, c.nLayer), ("token_dim", peft.tokenDim, c.nEmbd),
            ("num_attention_heads", peft.numAttentionHeads, c.nHead),
        ] where value != nil && value != model {
            throw .invalidAdapter(
                file: configURL.path, reason: "\(key) \(value ?? 0) does not match the model's \(model)")
        }
        return try TuningError.wrapping { () throws(GPT2Error) in try PrefixSlots(config: c, peftEmbedding: values) }
    }

    /// LNTune's own layouts, described by `lntune_adapter.json`.
    private static func readLNTuneLayout(manifest url: URL, modelConfig: GPT2Config) throws(TuningError) -> Adapter {
        let manifest = try AdapterJSON.read(LNTuneAdapterManifest.self, from: url)
        guard manifest.format == LNTuneAdapterManifest.formatName else {
            throw .invalidAdapter(
                file: url.path, reason: "format '\(manifest.format)', expected '\(LNTuneAdapterManifest.formatName)'")
        }
        guard manifest.formatVersion <= 1 else {
            throw .invalidAdapter(
                file: url.path, reason: "format_version \(manifest.formatVersion) is newer than this LNTune (1)")
        }
        let directory = url.deletingLastPathComponent()
        func component(_ role: String) throws(TuningError) -> Adapter {
            guard let name = manifest.components?[role], !name.contains("/"), name != ".." else {
                throw .invalidAdapter(file: url.path, reason: "components.\(role) must name a sub-folder")
            }
            return try readPEFT(directory.appendingPathComponent(name), modelConfig: modelConfig)
        }
        switch manifest.method {
        case .prefixLN:
            let ln = try component("ln"), prefix = try component("prefix")
            guard prefix.prefix != nil, !ln.tensors.isEmpty else {
                throw .invalidAdapter(
                    file: url.path, reason: "components.ln must be LN_TUNING and components.prefix PREFIX_TUNING")
            }
            return Adapter(
                configuration: manifest.method, modelConfig: modelConfig, tensors: ln.tensors, prefix: prefix.prefix,
                baseModel: manifest.baseModelNameOrPath)
        case .bitfit:
            let file = try openWeights(directory, name: manifest.weights ?? LNTuneAdapterManifest.bitFitWeights)
            let layout = ParameterLayout(config: modelConfig)
            var tensors: [GPT2Tensor: [Float]] = [:]
            for name in file.tensorNames {
                guard let slot = layout.slot(named: name), isBias(slot.tensor) else {
                    throw .invalidAdapter(file: file.url.path, reason: "tensor '\(name)' is not a bias of this model")
                }
                tensors[slot.tensor] = try read(name, from: file, expected: slot.shape)
            }
            return Adapter(
                configuration: .bitfit, modelConfig: modelConfig, tensors: tensors,
                baseModel: manifest.baseModelNameOrPath)
        case .full:
            let checkpoint = try TuningError.wrapping { () throws(GPT2Error) in
                try GPT2Checkpoint.load(directory: directory)
            }
            guard Adapter.sameShape(checkpoint.config, modelConfig) else {
                throw .invalidAdapter(
                    file: directory.path,
                    reason: "a full model of shape \(Adapter.shape(checkpoint.config)),"
                        + " not the base model's \(Adapter.shape(modelConfig))")
            }
            return Adapter(
                configuration: .full, modelConfig: modelConfig, fullParameters: checkpoint.parameters,
                baseModel: manifest.baseModelNameOrPath)
        case .ln, .prefix:
            return try readPEFT(directory, modelConfig: modelConfig)
        }
    }

    static func isLayerNorm(_ tensor: GPT2Tensor) -> Bool {
        switch tensor {
        case .finalNormWeight, .finalNormBias: return true
        case let .block(_, t): return t.isLayerNorm
        default: return false
        }
    }

    static func isBias(_ tensor: GPT2Tensor) -> Bool {
        switch tensor {
        case .finalNormBias: return true
        case let .block(_, t): return t.isBias
        default: return false
        }
    }

    /// The LN options a PEFT file without LNTune's record implies: the modules it holds, over the layer span
    /// it covers (PEFT always stores both terms).
    private static func inferLN(_ tensors: Set<GPT2Tensor>, _ config: GPT2Config) -> TuningConfiguration {
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
        return .ln(LNTuningOptions(modules: modules, layers: span))
    }
}
