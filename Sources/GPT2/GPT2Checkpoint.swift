import Foundation

/// A GPT-2 as a Hugging Face model folder holds it: `config.json` plus `model.safetensors` (or shards listed in
/// `model.safetensors.index.json`), loaded into one flat parameter buffer.
public struct GPT2Checkpoint: Sendable {
    public let config: GPT2Config
    public let parameters: GPT2Parameters

    public init(config: GPT2Config, parameters: GPT2Parameters) {
        self.config = config
        self.parameters = parameters
    }

    /// Loads a model folder as transformers' `GPT2LMHeadModel.save_pretrained` (or the hub) leaves it.
    ///
    /// Accepts names with or without the `transformer.` prefix, F32/F16/BF16 data, the `attn.bias` /
    /// `attn.masked_bias` buffers of old conversions (ignored), and an `lm_head.weight` equal to `wte`.
    /// In order: config.json is validated, every safetensors header is parsed and every tensor matched to the
    /// layout the config implies, the memory need is compared with `memoryLimit` bytes (default: the
    /// machine's physical memory), and only then is the parameter buffer allocated and filled. A NaN or
    /// infinity in any tensor is an error naming it.
    public static func load(directory: URL, memoryLimit: Int? = nil) throws(GPT2Error) -> GPT2Checkpoint {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw .fileUnreadable(
                file: directory.path, reason: "no such folder (expected a model folder with config.json)")
        }
        let config = try GPT2Config.load(contentsOf: directory.appendingPathComponent("config.json"))
        let files = try weightFiles(in: directory)
        let plan = try CheckpointTensors.plan(files, layout: ParameterLayout(config: config))
        try MemoryBudget.check(plan: plan, limit: memoryLimit, directory: directory.path)
        // Every value is overwritten: the plan covers each slot, and the slots tile the buffer.
        let parameters = try GPT2Parameters(uninitializedFor: plan.layout, source: directory.path)
        try plan.read(into: parameters)
        return GPT2Checkpoint(config: config, parameters: parameters)
    }

    /// The safetensors files holding the weights: one file, or the shards of an index.
    static func weightFiles(in directory: URL) throws(GPT2Error) -> [SafeTensorsFile] {
        let fm = FileManager.default
        let single = directory.appendingPathComponent("model.safetensors")
        if fm.fileExists(atPath: single.path) { return [try SafeTensorsFile.open(single)] }
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        if fm.fileExists(atPath: index.path) { return try shards(index: index) }
        for legacy in ["pytorch_model.bin", "tf_model.h5", "flax_model.msgpack"]
        where fm.fileExists(atPath: directory.appendingPathComponent(legacy).path) {
            throw .missingWeights(
                directory: directory.path,
                hint: "found only \(legacy), which LNTune does not read; convert it to safetensors, e.g. in Python:"
                    + " GPT2LMHeadModel.from_pretrained(DIR).save_pretrained(OUT) writes OUT/model.safetensors")
        }
        throw .missingWeights(
            directory: directory.path, hint: "expected model.safetensors (or model.safetensors.index.json with shards)")
    }

    /// Opens the shards an index names (transformers' `{"metadata": …, "weight_map": {tensor: file}}`) and checks
    /// that each listed tensor is where the index says.
    private static func shards(index: URL) throws(GPT2Error) -> [SafeTensorsFile] {
        struct Index: Decodable {
            let weightMap: [String: String]
            enum CodingKeys: String, CodingKey { case weightMap = "weight_map" }
        }
        let map: [String: String]
        do {
            map = try JSONDecoder().decode(Index.self, from: Data(contentsOf: index)).weightMap
        } catch {
            throw .invalidSafeTensors(file: index.path, reason: "shard index: \(GPT2Error.decodingReason(error))")
        }
        let folder = index.deletingLastPathComponent()
        var files: [String: SafeTensorsFile] = [:]
        for name in Set(map.values).sorted() {
            // Shard names are plain file names; anything else could point outside the model folder.
            guard !name.isEmpty, !name.contains("/"), name != "..", name != "." else {
                throw .invalidSafeTensors(file: index.path, reason: "shard name '\(name)' is not a plain file name")
            }
            files[name] = try SafeTensorsFile.open(folder.appendingPathComponent(name))
        }
        for (tensor, name) in map.sorted(by: { $0.key < $1.key }) where files[name]?.info(tensor) == nil {
            throw .missingTensor(file: folder.appendingPathComponent(name).path, tensor: tensor)
        }
        return files.keys.sorted().compactMap { files[$0] }
    }
}
