import Foundation
import GPT2

/// Reading and writing adapter folders (see `Adapter` and `LNTuneAdapterManifest` for the layouts).
public enum AdapterFiles {
    /// Writes `adapter` into `directory` (created if needed). Weights are written before the config or
    /// manifest that points at them, each file atomically, so a reader never sees a config without its weights.
    public static func write(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        try createFolder(directory)
        let config = adapter.modelConfig
        switch adapter.configuration {
        case let .ln(options):
            try removeStaleManifest(in: directory)
            try writeLN(adapter, options: options, to: directory)
        case let .prefix(options):
            try removeStaleManifest(in: directory)
            try writePrefix(adapter, options: options, to: directory)
        case let .prefixLN(prefixOptions, lnOptions):
            let ln = directory.appendingPathComponent("ln"), prefix = directory.appendingPathComponent("prefix")
            try createFolder(ln)
            try createFolder(prefix)
            try writeLN(adapter, options: lnOptions, to: ln)
            try writePrefix(adapter, options: prefixOptions, to: prefix)
            try writeManifest(adapter, components: ["ln": "ln", "prefix": "prefix"], weights: nil, to: directory)
        case .bitfit:
            let tensors = adapter.tensors.keys.sorted { $0.huggingFaceName < $1.huggingFaceName }.map { tensor in
                (
                    name: "transformer." + tensor.huggingFaceName,
                    shape: ParameterLayout(config: config).slot(tensor).shape,
                    data: adapter.tensors[tensor] ?? []
                )
            }
            let url = directory.appendingPathComponent(LNTuneAdapterManifest.bitFitWeights)
            try TuningError.wrapping { () throws(GPT2Error) in
                try SafeTensorsWriter.write(tensors: tensors, metadata: ["format": "pt"], to: url)
            }
            try writeManifest(adapter, components: nil, weights: LNTuneAdapterManifest.bitFitWeights, to: directory)
        case .full:
            guard let parameters = adapter.fullParameters else {
                throw .invalidAdapter(file: directory.path, reason: "a full fine-tuning adapter needs every parameter")
            }
            try TuningError.wrapping { () throws(GPT2Error) in
                try GPT2Checkpoint(config: config, parameters: parameters).save(to: directory)
            }
            try writeManifest(adapter, components: nil, weights: "model.safetensors", to: directory)
        }
    }

    /// PEFT's LN_TUNING layout: `base_model.model.transformer.h.{i}.ln_1.ln_tuning_layers.weight` etc.
    private static func writeLN(_ adapter: Adapter, options: LNTuningOptions, to directory: URL) throws(TuningError) {
        let config = adapter.modelConfig
        var tensors: [(name: String, shape: [Int], data: [Float])] = []
        for norm in options.selectedNorms(layerCount: config.nLayer) {
            for term in LNTerm.allCases {
                let tensor = norm.tensor(term)
                guard let values = adapter.tensors[tensor] else {
                    throw .invalidAdapter(
                        file: directory.path, reason: "the adapter has no values for \(tensor.huggingFaceName)")
                }
                tensors.append((name: PEFTNames.lnKey(tensor), shape: [config.nEmbd], data: values))
            }
        }
        tensors.sort { $0.name < $1.name }
        let weights = directory.appendingPathComponent(PEFTAdapterConfig.weightsFileName)
        try TuningError.wrapping { () throws(GPT2Error) in
            try SafeTensorsWriter.write(tensors: tensors, metadata: ["format": "pt"], to: weights)
        }
        let peft = PEFTAdapterConfig.lnTuning(
            options, layerCount: config.nLayer, baseModel: adapter.baseModel, recording: adapter.configuration)
        try AdapterJSON.write(peft, to: directory.appendingPathComponent(PEFTAdapterConfig.fileName))
    }

    /// PEFT's PREFIX_TUNING layout: `prompt_embeddings` `[P, 2·L·d]`.
    private static func writePrefix(_ adapter: Adapter, options: PrefixTuningOptions, to directory: URL)
        throws(TuningError)
    {
        let config = adapter.modelConfig
        guard let prefix = adapter.prefix, prefix.length == options.virtualTokens else {
            throw .invalidAdapter(
                file: directory.path, reason: "the adapter has no prefix of \(options.virtualTokens) virtual tokens")
        }
        let width = PrefixTuningOptions.rowWidth(config: config)
        let weights = directory.appendingPathComponent(PEFTAdapterConfig.weightsFileName)
        try TuningError.wrapping { () throws(GPT2Error) in
            try SafeTensorsWriter.write(
                tensors: [
                    (name: PEFTNames.promptEmbeddings, shape: [prefix.length, width], data: prefix.peftEmbedding())
                ],
                metadata: ["format": "pt"], to: weights)
        }
        let peft = PEFTAdapterConfig.prefixTuning(
            options, model: config, baseModel: adapter.baseModel, recording: adapter.configuration)
        try AdapterJSON.write(peft, to: directory.appendingPathComponent(PEFTAdapterConfig.fileName))
    }

    private static func writeManifest(
        _ adapter: Adapter, components: [String: String]?, weights: String?, to directory: URL
    ) throws(TuningError) {
        let manifest = LNTuneAdapterManifest(
            method: adapter.configuration, components: components, weights: weights,
            baseModelNameOrPath: adapter.baseModel,
            python: LNTuneAdapterManifest.recipe(for: adapter.configuration.kind))
        try AdapterJSON.write(manifest, to: directory.appendingPathComponent(LNTuneAdapterManifest.fileName))
    }

    /// A folder that used to hold an LNTune layout must not keep its manifest when a plain PEFT adapter is
    /// written there: the reader looks for the manifest first.
    private static func removeStaleManifest(in directory: URL) throws(TuningError) {
        let url = directory.appendingPathComponent(LNTuneAdapterManifest.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw .model(.writeFailed(file: url.path, reason: error.localizedDescription))
        }
    }

    static func createFolder(_ url: URL) throws(TuningError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .model(.writeFailed(file: url.path, reason: error.localizedDescription))
        }
    }
}

/// PEFT's state-dict names for the tensors LNTune exchanges with it.
enum PEFTNames {
    static let promptEmbeddings = "prompt_embeddings"
    private static let modelPrefix = "base_model.model.transformer."
    private static let lnInfix = ".ln_tuning_layers."

    /// `h.0.ln_1.weight` → `base_model.model.transformer.h.0.ln_1.ln_tuning_layers.weight`.
    static func lnKey(_ tensor: GPT2Tensor) -> String {
        let name = tensor.huggingFaceName
        guard let dot = name.lastIndex(of: ".") else { return modelPrefix + name }
        return modelPrefix + name[..<dot] + lnInfix + name[name.index(after: dot)...]
    }

    /// The inverse of `lnKey`: the model's HF name (`h.0.ln_1.weight`), or nil for any other key.
    static func modelName(lnKey key: String) -> String? {
        guard key.hasPrefix(modelPrefix), let infix = key.range(of: lnInfix) else { return nil }
        return String(key[key.index(key.startIndex, offsetBy: modelPrefix.count)..<infix.lowerBound]) + "."
            + key[infix.upperBound...]
    }
}
