import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// A broken copy of one of AdapterHub's folders (Tests/Fixtures/bottleneck/NAME): the config edited as JSON,
/// the weights rewritten without, with a reshaped, or with an extra tensor.
private struct BrokenFolder {
    let url: URL
    let holder: TemporaryFolder

    init(_ name: String) throws {
        holder = try TemporaryFolder()
        url = try holder.copy(fixture: "bottleneck/" + name)
    }

    var config: URL { url.appendingPathComponent("adapter_config.json") }
    var weights: URL { url.appendingPathComponent("adapter.safetensors") }

    func editConfig(_ change: (inout [String: Any]) -> Void) throws {
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
        change(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: config)
    }

    func editBottleneck(_ change: (inout [String: Any]) -> Void) throws {
        try editConfig { json in
            var inner = json["config"] as? [String: Any] ?? [:]
            change(&inner)
            json["config"] = inner
        }
    }

    /// Rewrites the weights through `change` (name → (shape, values)).
    func editWeights(_ change: (inout [String: ([Int], [Float])]) -> Void) throws {
        let file = try SafeTensorsFile.open(weights)
        var tensors: [String: ([Int], [Float])] = [:]
        for name in file.tensorNames { tensors[name] = (file.info(name)?.shape ?? [], try file.readFloat32(name)) }
        change(&tensors)
        try SafeTensorsWriter.write(
            tensors: tensors.sorted { $0.key < $1.key }.map { (name: $0.key, shape: $0.value.0, data: $0.value.1) },
            metadata: ["format": "pt"], to: weights)
    }

    /// The reader's message for this folder (nil when it reads).
    func message() throws -> String? {
        let config = try Tiny.model().config
        return thrownError { () throws(TuningError) in try AdapterFiles.read(from: url, modelConfig: config) }?
            .description
    }
}

private let key = "transformer.h.1.output_adapters.adapters.task.adapter_up.weight"

/// Every way an AdapterHub folder can be wrong is a typed error naming the file and the key or tensor: a missing,
/// misshapen or unexpected tensor, a config field AdapterHub does not have, a setting LNTune does not implement,
/// a model of another kind or width, a pickle instead of safetensors, MAM copies of a shared tensor that differ.
@Test func brokenAdapterHubFoldersAreClearErrors() throws {
    let missing = try BrokenFolder("seq_bn")
    try missing.editWeights { $0[key] = nil }
    #expect(try missing.message()?.contains("'\(key)'") == true)

    let reshaped = try BrokenFolder("seq_bn")
    try reshaped.editWeights { $0[key] = ([2, 32], [Float](repeating: 0, count: 64)) }
    #expect(try reshaped.message()?.contains("has shape [2, 32], but the model needs [32, 2]") == true)

    let extra = try BrokenFolder("seq_bn")
    try extra.editWeights {
        $0["transformer.h.0.attention_adapters.adapters.task.adapter_up.bias"] = (
            [32], [Float](repeating: 0, count: 32)
        )
    }
    #expect(try extra.message()?.contains("unexpected tensor 'transformer.h.0.attention_adapters") == true)

    let unknown = try BrokenFolder("seq_bn")
    try unknown.editBottleneck { $0["reduction"] = 8 }
    #expect(try unknown.message()?.contains("config.reduction is an unknown field") == true)

    let topLevel = try BrokenFolder("par_bn")
    try topLevel.editConfig { $0["adapter_type"] = "text_task" }
    #expect(try topLevel.message()?.contains("adapter_type is an unknown field") == true)

    for (field, value, words) in [
        ("ln_after", true as Any, "adapter LayerNorms"), ("use_gating", true, "gated adapters"),
        ("phm_layer", true, "PHM"), ("scaling", "learned", "no learned scaling"),
        ("reduction_factor", ["default": 16], "one number for every block"),
        ("non_linearity", "mish", "'mish' is not supported"), ("original_ln_after", false, "residual connection"),
        ("residual_before_ln", "post_add", "residual_before_ln \"post_add\" is not supported"),
    ] {
        let unsupported = try BrokenFolder("seq_bn")
        try unsupported.editBottleneck { $0[field] = value }
        let text = try unsupported.message() ?? "read without an error"
        #expect(text.contains(words) && text.contains("config.\(field)"), "\(field): \(text)")
    }

    let gpt = try BrokenFolder("seq_bn")
    try gpt.editConfig { $0["model_type"] = "bert" }
    #expect(try gpt.message()?.contains("model_type 'bert'") == true)
    let wide = try BrokenFolder("seq_bn")
    try wide.editConfig { $0["hidden_size"] = 64 }
    #expect(try wide.message()?.contains("hidden_size 64 does not match the model's n_embd 32") == true)

    let pickle = try BrokenFolder("seq_bn")
    try FileManager.default.moveItem(at: pickle.weights, to: pickle.url.appendingPathComponent("pytorch_adapter.bin"))
    #expect(try pickle.message()?.contains("only pytorch_adapter.bin (a pickle)") == true)

    let aliases = try BrokenFolder("mam")
    try aliases.editWeights { tensors in
        let pool = "transformer.prefix_tuning.prefix_tunings.task.self_prefix.wte.weight"
        let (shape, values) = tensors[pool] ?? ([], [])
        tensors["transformer.h.1.attn.prefix_tuning.pool.prefix_tunings.task.self_prefix.wte.weight"] = (
            shape, values.map { $0 + 1 }
        )
    }
    #expect(try aliases.message()?.contains("differs from another copy of the same shared prefix tensor") == true)
}

/// MAM's prefix tensors may come as AdapterHub's per-layer aliases instead of the pool's names (what
/// `state_dict()` lists), as long as every copy agrees: the adapter reads the same.
@Test func mamReadsPerLayerPrefixAliases() throws {
    let config = try Tiny.model().config
    let original = try AdapterFiles.read(from: Fixtures.url("bottleneck/mam"), modelConfig: config)
    let aliased = try BrokenFolder("mam")
    try aliased.editWeights { tensors in
        let pool = "transformer.prefix_tuning.prefix_tunings.task.self_prefix."
        for name in tensors.keys where name.hasPrefix(pool) {
            let suffix = name.dropFirst(pool.count)
            for layer in 0..<2 {
                tensors["transformer.h.\(layer).attn.prefix_tuning.pool.prefix_tunings.task.self_prefix.\(suffix)"] =
                    tensors[name]
            }
            tensors[name] = nil
        }
    }
    let read = try AdapterFiles.read(from: aliased.url, modelConfig: config)
    #expect(bits(try #require(read.prefix).buffer) == bits(try #require(original.prefix).buffer))
}

/// A bottleneck adapter is no change of weights: `lntune merge` refuses it, saying why.
@Test func bottleneckAdaptersDoNotMerge() throws {
    let model = try Tiny.model()
    let adapter = try AdapterFiles.read(from: Fixtures.url("bottleneck/par_bn"), modelConfig: model.config)
    let error = thrownError { () throws(TuningError) in try adapter.merge(into: model.parameters) }
    #expect(error?.description.contains("non-linear bottleneck") == true)
}
