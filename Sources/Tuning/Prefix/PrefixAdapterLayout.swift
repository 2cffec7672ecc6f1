import Foundation
import GPT2

/// Prefix-Tuning adapters in PEFT's PREFIX_TUNING layout: `prompt_embeddings` `[P, 2·L·d]` in
/// `adapter_model.safetensors`, whose row layout is `[layer][key|value][head][headDim]` (PEFT's `get_prompt`).
extension PrefixTuning {
    static let embeddingsName = "prompt_embeddings"

    public func writeAdapter(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        try AdapterFiles.removeStaleManifest(in: directory)
        let config = adapter.modelConfig
        guard let prefix = adapter.prefix, prefix.length == options.virtualTokens else {
            throw .invalidAdapter(
                file: directory.path, reason: "the adapter has no prefix of \(options.virtualTokens) virtual tokens")
        }
        try AdapterFiles.writeWeights(
            [
                (
                    name: Self.embeddingsName, shape: [prefix.length, PrefixTuningOptions.rowWidth(config: config)],
                    data: prefix.peftEmbedding()
                )
            ], to: directory.appendingPathComponent(PEFTAdapterConfig.weightsFileName))
        try AdapterJSON.write(
            peftConfig(model: config, baseModel: adapter.baseModel, recording: adapter.configuration),
            to: directory.appendingPathComponent(PEFTAdapterConfig.fileName))
    }

    /// `prompt_embeddings` holds the encoder's output; `prefix_projection` and `encoder_hidden_size` record how
    /// it was trained (with `inference_mode` true PEFT builds a plain embedding of that output either way).
    func peftConfig(model: GPT2Config, baseModel: String?, recording: TuningConfiguration) -> PEFTAdapterConfig {
        var config = PEFTAdapterConfig(peftType: "PREFIX_TUNING")
        config.fillCommon(baseModel: baseModel, recording: recording)
        config.numVirtualTokens = options.virtualTokens
        config.tokenDim = model.nEmbd
        config.numLayers = model.nLayer
        config.numAttentionHeads = model.nHead
        config.numTransformerSubmodules = 1
        switch options.projection {
        case .direct:
            config.prefixProjection = false
            config.encoderHiddenSize = model.nEmbd  // PEFT's default when no projection is used
        case let .mlp(hidden):
            config.prefixProjection = true
            config.encoderHiddenSize = hidden
        }
        return config
    }

    /// A PEFT PREFIX_TUNING folder; how the prefix was trained is LNTune's record when there is one, else
    /// what the PEFT keys say.
    static func readPEFT(_ directory: URL, config peft: PEFTAdapterConfig, model c: GPT2Config) throws(TuningError)
        -> Adapter
    {
        let configPath = directory.appendingPathComponent(PEFTAdapterConfig.fileName).path
        if let n = peft.numTransformerSubmodules, n != 1 {
            throw .invalidAdapter(
                file: configPath, reason: "num_transformer_submodules \(n): LNTune's GPT-2 is a decoder (1)")
        }
        let file = try AdapterFiles.openWeights(directory)
        guard let info = file.info(embeddingsName) else {
            throw .model(.missingTensor(file: file.url.path, tensor: embeddingsName))
        }
        let rows = peft.numVirtualTokens ?? info.shape.first ?? 0
        let values = try AdapterFiles.read(
            embeddingsName, from: file, expected: [rows, PrefixTuningOptions.rowWidth(config: c)])
        // The tensor fits; the config's shape fields must tell the same story (PEFT views the rows by them).
        for (key, value, model) in [
            ("num_layers", peft.numLayers, c.nLayer), ("token_dim", peft.tokenDim, c.nEmbd),
            ("num_attention_heads", peft.numAttentionHeads, c.nHead),
        ] where value != nil && value != model {
            throw .invalidAdapter(file: configPath, reason: "\(key) \(value ?? 0) does not match the model's \(model)")
        }
        let prefix = try TuningError.wrapping { () throws(GPT2Error) in
            try PrefixSlots(config: c, peftEmbedding: values)
        }
        let recorded = peft.lntune?.method.parts.lazy.compactMap { $0 as? PrefixTuning }.first?.options
        let options = PrefixTuningOptions(
            virtualTokens: prefix.length,
            projection: recorded?.projection
                ?? ((peft.prefixProjection ?? false) ? .mlp(hidden: peft.encoderHiddenSize ?? c.nEmbd) : .direct))
        return Adapter(
            configuration: .prefix(options), modelConfig: c, prefix: prefix, baseModel: peft.baseModelNameOrPath)
    }
}
