import Foundation
import GPT2

/// Bottleneck and MAM adapters in AdapterHub's folder layout (`adapters` 1.3.0): `adapter_config.json`
/// (`AdapterHubConfig`) and `adapter.safetensors` holding, for an adapter named NAME,
///
///     transformer.h.{l}.{attention_adapters|output_adapters}.adapters.NAME.adapter_down.0.{weight,bias}
///     transformer.h.{l}.{attention_adapters|output_adapters}.adapters.NAME.adapter_up.{weight,bias}
///     transformer.prefix_tuning.prefix_tunings.NAME.self_prefix.{wte.weight, control_trans.0.{weight,bias},
///         control_trans.2.{weight,bias}}                  (MAM; a flat prefix stores `control_trans` [P·2·L·d])
///
/// `model.load_adapter(DIR, use_safetensors=True)` loads it. AdapterHub's own `save_adapter(…,
/// use_safetensors=True)` cannot save MAM (its prefix tensors are shared by every layer, which safetensors
/// refuses), so a MAM file holds each shared tensor once, under the pool's name, which `load_adapter` reads
/// back; the per-layer aliases (`transformer.h.{l}.attn.prefix_tuning.pool.prefix_tunings.NAME.…`) are accepted
/// too, when they agree. LNTune names the adapter after its method (`adapter`, `par-adapter`, `mam`, …).
enum AdapterHubLayout {
    static let weightsFileName = "adapter.safetensors"
    static let picklesFileName = "pytorch_adapter.bin"

    /// Writes the adapter's module (and MAM's prefix encoder) for `method`, a `BottleneckTuning` or `MAMTuning`.
    static func write(_ adapter: Adapter, method: any TuningMethod, to directory: URL) throws(TuningError) {
        try AdapterFiles.removeStaleManifest(in: directory)
        let expected = method.makeExtension(for: adapter.modelConfig) as? BottleneckModule
        guard let module = adapter.extensionModule as? BottleneckModule, let expected,
            module.options == expected.options, module.values.count == expected.values.count
        else {
            throw .invalidAdapter(
                file: directory.path, reason: "the adapter holds no \(method.name) modules for this model")
        }
        let name = method.name
        var tensors = module.tensors.map { t in
            (name: bottleneckKey(t.name, adapter: name), shape: t.shape, data: Array(module.buffer(t)))
        }
        if let prefix = method.prefix {
            guard let encoder = adapter.prefixEncoder, encoder.options == prefix else {
                throw .invalidAdapter(file: directory.path, reason: "the adapter holds no \(prefix) prefix encoder")
            }
            for t in encoder.tensors {
                let (suffix, shape) = prefixName(t, options: prefix)
                tensors.append((name: prefixKey(suffix, adapter: name), shape: shape, data: Array(encoder[t.name])))
            }
        }
        try AdapterFiles.writeWeights(
            tensors.sorted { $0.name < $1.name }, to: directory.appendingPathComponent(weightsFileName))
        try AdapterHubConfig.write(
            .init(name: name, method: method, baseModel: adapter.baseModel), model: adapter.modelConfig,
            to: directory.appendingPathComponent(AdapterHubConfig.fileName))
    }

    /// An AdapterHub folder: the config's method and options; the weights file must hold exactly the tensors
    /// they imply for this model, each of its shape.
    static func read(_ directory: URL, modelConfig c: GPT2Config) throws(TuningError) -> Adapter {
        let configURL = directory.appendingPathComponent(AdapterHubConfig.fileName)
        let contents = try AdapterHubConfig.read(configURL, model: c)
        do {
            try contents.method.validate(for: c)
        } catch let TuningError.invalidOption(name, value, hint) {
            throw .invalidAdapter(file: configURL.path, reason: "\(name) '\(value)': \(hint)")
        }
        let file = try openWeights(directory)
        guard let module = contents.method.makeExtension(for: c) as? BottleneckModule else {
            throw .unsupportedAdapter(file: configURL.path, type: "AdapterHub \(contents.method.name)")
        }
        var expected = Set<String>()
        for t in module.tensors {
            let key = bottleneckKey(t.name, adapter: contents.name)
            expected.insert(key)
            _ = module.buffer(t).update(fromContentsOf: try AdapterFiles.read(key, from: file, expected: t.shape))
        }
        var encoder: PrefixParameters?
        if let options = contents.method.prefix {
            let prefix = PrefixParameters(config: c, options: options)
            for t in prefix.tensors {
                let (suffix, shape) = prefixName(t, options: options)
                let keys =
                    [prefixKey(suffix, adapter: contents.name)]
                    + (0..<c.nLayer).map { layerPrefixKey(suffix, adapter: contents.name, layer: $0) }
                expected.formUnion(keys)
                _ = prefix[t.name].update(fromContentsOf: try readShared(keys, from: file, shape: shape))
            }
            encoder = prefix
        }
        if let stray = file.tensorNames.sorted().first(where: { !expected.contains($0) }) {
            throw .invalidAdapter(
                file: file.url.path,
                reason: "unexpected tensor '\(stray)': a \(contents.method.name) adapter named '\(contents.name)'"
                    + " (\(contents.method.optionsDescription)) on this \(c.nLayer)-block model has no such tensor")
        }
        var adapter = Adapter(
            configuration: TuningConfiguration(contents.method), modelConfig: c, prefix: encoder?.slots(),
            extensionModule: module, baseModel: contents.baseModel)
        adapter.prefixEncoder = encoder
        return adapter
    }

    // MARK: - Names

    /// `transformer.h.0.output_adapters.adapter_up.weight` → `….output_adapters.adapters.NAME.adapter_up.weight`.
    static func bottleneckKey(_ tensor: String, adapter name: String) -> String {
        guard let range = tensor.range(of: "_adapters.") else { return tensor }
        return tensor.replacingCharacters(in: range, with: "_adapters.adapters.\(name).")
    }

    static func prefixKey(_ suffix: String, adapter name: String) -> String {
        "transformer.prefix_tuning.prefix_tunings.\(name).self_prefix.\(suffix)"
    }

    static func layerPrefixKey(_ suffix: String, adapter name: String, layer: Int) -> String {
        "transformer.h.\(layer).attn.prefix_tuning.pool.prefix_tunings.\(name).self_prefix.\(suffix)"
    }

    /// AdapterHub's name and shape for a tensor of the prefix encoder (PEFT's names): `wte` for the embedding,
    /// `control_trans.0/2` for the MLP; a flat prefix is one vector `control_trans` [P·2·L·d] in the same order.
    static func prefixName(_ t: PrefixParameters.Tensor, options: PrefixTuningOptions) -> (String, [Int]) {
        if options.projection == .direct { return ("control_trans", [t.count]) }
        switch t.name {
        case "embedding.weight": return ("wte.weight", t.shape)
        default: return (t.name.replacingOccurrences(of: "transform.", with: "control_trans."), t.shape)
        }
    }

    // MARK: - Files

    private static func openWeights(_ directory: URL) throws(TuningError) -> SafeTensorsFile {
        let url = directory.appendingPathComponent(weightsFileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let pickle = FileManager.default.fileExists(atPath: directory.appendingPathComponent(picklesFileName).path)
            throw .missingFile(
                path: url.path,
                hint: pickle
                    ? "only \(picklesFileName) (a pickle) is there; re-save with save_adapter(DIR, NAME,"
                        + " use_safetensors=True), or for MAM save each shared prefix tensor once with safetensors"
                    : "the adapter's weights (AdapterHub's save_adapter(DIR, NAME, use_safetensors=True))")
        }
        return try TuningError.wrapping { () throws(GPT2Error) in try SafeTensorsFile.open(url) }
    }

    /// A prefix tensor stored once under the pool's name or under the per-layer aliases, which must agree.
    private static func readShared(_ keys: [String], from file: SafeTensorsFile, shape: [Int]) throws(TuningError)
        -> [Float]
    {
        var values: [Float]?
        for key in keys where file.info(key) != nil {
            let read = try AdapterFiles.read(key, from: file, expected: shape)
            if let values, values.map(\.bitPattern) != read.map(\.bitPattern) {
                throw .invalidAdapter(
                    file: file.url.path, reason: "'\(key)' differs from another copy of the same shared prefix tensor")
            }
            values = read
        }
        guard let values else { throw .model(.missingTensor(file: file.url.path, tensor: keys[0])) }
        return values
    }
}

extension BottleneckTuning {
    public func writeAdapter(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        try AdapterHubLayout.write(adapter, method: self, to: directory)
    }

    public func pythonRecipe(base: String, folder: String) -> String {
        AdapterHubLayout.pythonRecipe(base: base, folder: folder)
    }
}

extension MAMTuning {
    public func writeAdapter(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        try AdapterHubLayout.write(adapter, method: self, to: directory)
    }

    public func pythonRecipe(base: String, folder: String) -> String {
        AdapterHubLayout.pythonRecipe(base: base, folder: folder)
    }
}

extension AdapterHubLayout {
    /// `adapters.init(m)`, then `load_adapter` and `set_active_adapters` (AdapterHub's `adapters` library).
    static func pythonRecipe(base: String, folder: String) -> String {
        (base == "m" ? "" : "m = \(base); ")
            + "adapters.init(m); m.set_active_adapters(m.load_adapter('\(folder)', use_safetensors=True))"
    }
}
