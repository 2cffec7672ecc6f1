import Foundation
import GPT2

/// Reading and writing adapter folders. Each method writes and reads its own layout (see its folder); this
/// type finds which method a folder holds and provides the file plumbing they share.
///
/// A folder is either a PEFT adapter (`adapter_config.json`, whose `peft_type` names the method), an AdapterHub
/// adapter (`adapter_config.json` with a `config` object: bottleneck adapters, MAM) or one of LNTune's layouts
/// for what neither has a type for (`lntune_adapter.json`, whose `method` names it).
public enum AdapterFiles {
    /// Writes `adapter` into `directory` (created if needed). Weights are written before the config or
    /// manifest that points at them, each file atomically, so a reader never sees a config without its weights.
    public static func write(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        try adapter.requireFinite(writingTo: directory)
        try createFolder(directory)
        try adapter.configuration.method.writeAdapter(adapter, to: directory)
    }

    /// Reads the adapter in `directory` for a model of shape `modelConfig`. Every tensor's shape is checked
    /// against the model before it is used.
    public static func read(from directory: URL, modelConfig: GPT2Config) throws(TuningError) -> Adapter {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw .missingFile(path: directory.path, hint: "no such adapter folder")
        }
        let manifestURL = directory.appendingPathComponent(LNTuneAdapterManifest.fileName)
        var adapter: Adapter
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            let manifest = try LNTuneAdapterManifest.read(from: manifestURL)
            adapter = try manifest.method.method.readAdapter(
                from: directory, manifest: manifest, modelConfig: modelConfig)
        } else if FileManager.default.fileExists(
            atPath: directory.appendingPathComponent(PEFTAdapterConfig.fileName).path)
        {
            // AdapterHub writes a file of the same name (bottleneck adapters, MAM).
            adapter =
                AdapterHubConfig.isAdapterHub(directory.appendingPathComponent(AdapterHubConfig.fileName))
                ? try AdapterHubLayout.read(directory, modelConfig: modelConfig)
                : try readPEFT(directory, modelConfig: modelConfig)
        } else {
            throw .missingFile(
                path: directory.appendingPathComponent(PEFTAdapterConfig.fileName).path,
                hint: "not an adapter folder: expected adapter_config.json (PEFT) or lntune_adapter.json (LNTune)")
        }
        try checkAgreement(adapter, directory: directory)
        adapter.source = directory.path
        return adapter
    }

    /// Refuses a folder whose recorded method does not fit the model or does not store every tensor the weights
    /// hold (an edited or mismatched config beside someone else's weights): applying it would set values the
    /// method says it never trained, and writing it back would drop them. Tensors the method stores but the
    /// weights lack are the loader's `AdapterFit` check, which names both model shapes.
    static func checkAgreement(_ adapter: Adapter, directory: URL) throws(TuningError) {
        let method = adapter.configuration.method
        do {
            try method.validate(for: adapter.modelConfig)
        } catch {
            throw .invalidAdapter(
                file: directory.path,
                reason: "its recorded \(adapter.configuration.name) settings do not fit this model: \(error)")
        }
        guard !method.storesWholeModel else { return }
        let stored = Set(method.storedTensors(in: ParameterLayout(config: adapter.modelConfig)))
        if let extra = adapter.tensors.keys.sorted(by: { $0.huggingFaceName < $1.huggingFaceName })
            .first(where: { !stored.contains($0) })
        {
            throw .invalidAdapter(
                file: directory.path,
                reason: "the weights hold \(extra.huggingFaceName), which its recorded method"
                    + " \(adapter.configuration.name) does not store: the config and the weights do not belong"
                    + " together")
        }
    }

    /// A PEFT adapter folder: `adapter_config.json` + `adapter_model.safetensors`, read by the method whose
    /// PEFT type it names.
    static func readPEFT(_ directory: URL, modelConfig: GPT2Config) throws(TuningError) -> Adapter {
        let configURL = directory.appendingPathComponent(PEFTAdapterConfig.fileName)
        let peft = try PEFTAdapterConfig.read(from: configURL)
        if let task = peft.taskType, task != "CAUSAL_LM" {
            throw .invalidAdapter(
                file: configURL.path, reason: "task_type \(task); LNTune tunes causal language models (CAUSAL_LM)")
        }
        guard let entry = TuningMethods.entry(peftType: peft.peftType), let readPEFT = entry.readPEFT else {
            throw .unsupportedAdapter(file: configURL.path, type: peft.peftType)
        }
        return try readPEFT(directory, peft, modelConfig)
    }

    /// Opens an adapter's weights file, saying what to do when only a pickle is there.
    static func openWeights(_ directory: URL, name: String = PEFTAdapterConfig.weightsFileName) throws(TuningError)
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

    /// One tensor, after checking its shape; every value must be finite (the one check of adapter and
    /// checkpoint values at load, for every method but full fine-tuning, whose model folder the checkpoint
    /// loader checks the same way: all of them read their tensors here).
    static func read(_ name: String, from file: SafeTensorsFile, expected: [Int]) throws(TuningError) -> [Float] {
        guard let info = file.info(name) else { throw .model(.missingTensor(file: file.url.path, tensor: name)) }
        guard info.shape == expected else {
            throw .adapterShapeMismatch(file: file.url.path, tensor: name, expected: expected, found: info.shape)
        }
        var values = [Float](repeating: 0, count: info.elementCount)
        try TuningError.wrapping { () throws(GPT2Error) in
            try values.withUnsafeMutableBufferPointer { buffer in
                Result { () throws(GPT2Error) in try file.readFiniteFloat32(name, into: buffer) }
            }.get()
        }
        return values
    }

    /// A safetensors file of float32 tensors with PyTorch's `format` metadata.
    static func writeWeights(_ tensors: [(name: String, shape: [Int], data: [Float])], to url: URL)
        throws(TuningError)
    {
        try TuningError.wrapping { () throws(GPT2Error) in
            try SafeTensorsWriter.write(tensors: tensors, metadata: ["format": "pt"], to: url)
        }
    }

    /// `lntune_adapter.json` for a layout PEFT has no type for, with the Python that loads it.
    static func writeManifest(_ adapter: Adapter, components: [String: String]?, weights: String?, to directory: URL)
        throws(TuningError)
    {
        let manifest = LNTuneAdapterManifest(
            method: adapter.configuration, components: components, weights: weights,
            baseModelNameOrPath: adapter.baseModel,
            python: adapter.configuration.method.pythonRecipe(
                base: "AutoModelForCausalLM.from_pretrained(BASE)", folder: "DIR"))
        try AdapterJSON.write(manifest, to: directory.appendingPathComponent(LNTuneAdapterManifest.fileName))
    }

    /// A folder that used to hold an LNTune layout must not keep its manifest when a plain PEFT adapter is
    /// written there: the reader looks for the manifest first.
    static func removeStaleManifest(in directory: URL) throws(TuningError) {
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
