import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// A copy of a committed adapter folder to break.
private func copy(_ name: String, in folder: TemporaryFolder) throws -> URL {
    try folder.copy(fixture: "adapters/" + name)
}

private func edit(_ url: URL, _ change: (inout [String: Any]) -> Void) throws {
    var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    change(&json)
    try JSONSerialization.data(withJSONObject: json).write(to: url)
}

/// The error `body` throws, or nil.
func thrownError<T>(_ body: () throws(TuningError) -> T) -> TuningError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The typed error a broken adapter folder produces, and what its message must name.
@Test func adapterProblemsAreTypedErrorsNamingTheFileAndTensor() throws {
    let folder = try TemporaryFolder()
    let config = try Tiny.model().config

    // Another model size: the LayerNorm width differs → the tensor and both shapes are named.
    var wide = config
    wide.nEmbd = 64
    let wideError = thrownError { () throws(TuningError) in
        try AdapterFiles.read(from: Fixtures.url("adapters/from-peft/ln"), modelConfig: wide)
    }
    guard case let .adapterShapeMismatch(file, tensor, expected, found)? = wideError else {
        Issue.record("an adapter for n_embd 32 onto n_embd 64: \(String(describing: wideError))")
        return
    }
    #expect(file.hasSuffix("adapter_model.safetensors"))
    #expect(tensor == "base_model.model.transformer.h.0.ln_1.ln_tuning_layers.bias")
    #expect(expected == [64] && found == [32])
    // Fewer layers: a tensor of a layer the model does not have.
    var shallow = config
    shallow.nLayer = 1
    #expect(throws: TuningError.self) {
        try AdapterFiles.read(from: Fixtures.url("adapters/from-peft/ln"), modelConfig: shallow)
    }
    let shallowError = thrownError { () throws(TuningError) in
        try AdapterFiles.read(from: Fixtures.url("adapters/from-peft/prefix"), modelConfig: shallow)
    }
    #expect(
        shallowError
            == .adapterShapeMismatch(
                file: Fixtures.url("adapters/from-peft/prefix/adapter_model.safetensors").path,
                tensor: "prompt_embeddings",
                expected: [3, 64], found: [3, 128]))

    // Missing folder, missing config, missing weights (and the pickle hint).
    #expect(throws: TuningError.missingFile(path: folder.url.path + "/none", hint: "no such adapter folder")) {
        try AdapterFiles.read(from: folder.url.appendingPathComponent("none"), modelConfig: config)
    }
    let empty = folder.url.appendingPathComponent("empty")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    let emptyError = thrownError { () throws(TuningError) in try AdapterFiles.read(from: empty, modelConfig: config) }
    guard case let .missingFile(path, _)? = emptyError, path.hasSuffix("adapter_config.json") else {
        Issue.record("an empty folder: \(String(describing: emptyError))")
        return
    }
    let noWeights = try copy("from-peft/ln", in: folder)
    try FileManager.default.removeItem(at: noWeights.appendingPathComponent("adapter_model.safetensors"))
    try Data().write(to: noWeights.appendingPathComponent("adapter_model.bin"))
    let noWeightsError = thrownError { () throws(TuningError) in
        try AdapterFiles.read(from: noWeights, modelConfig: config)
    }
    guard case let .missingFile(weightsPath, hint)? = noWeightsError else {
        Issue.record("an adapter without weights: \(String(describing: noWeightsError))")
        return
    }
    #expect(weightsPath.hasSuffix("adapter_model.safetensors") && hint.contains("safe_serialization"))

    // An adapter type LNTune does not implement.
    let ia3 = try copy("from-peft/ln", in: folder)
    try edit(ia3.appendingPathComponent("adapter_config.json")) { $0["peft_type"] = "IA3" }
    #expect(
        throws: TuningError.unsupportedAdapter(
            file: ia3.appendingPathComponent("adapter_config.json").path, type: "IA3")
    ) {
        try AdapterFiles.read(from: ia3, modelConfig: config)
    }
    // Not a causal LM adapter; a garbled config; a prefix config that contradicts its tensor.
    let seq2seq = try copy("from-peft/prefix", in: folder)
    try edit(seq2seq.appendingPathComponent("adapter_config.json")) { $0["task_type"] = "SEQ_2_SEQ_LM" }
    #expect(throws: TuningError.self) { try AdapterFiles.read(from: seq2seq, modelConfig: config) }
    let garbled = try copy("from-peft/prefix", in: folder)
    try Data("{\"peft_type\": 3}".utf8).write(to: garbled.appendingPathComponent("adapter_config.json"))
    #expect(throws: TuningError.self) { try AdapterFiles.read(from: garbled, modelConfig: config) }
    let heads = try copy("from-peft/prefix", in: folder)
    try edit(heads.appendingPathComponent("adapter_config.json")) { $0["num_attention_heads"] = 8 }
    #expect(throws: TuningError.self) { try AdapterFiles.read(from: heads, modelConfig: config) }
    // An LNTune layout from a newer version.
    let newer = try copy("from-lntune/bitfit", in: folder)
    try edit(newer.appendingPathComponent("lntune_adapter.json")) { $0["format_version"] = 2 }
    #expect(throws: TuningError.self) { try AdapterFiles.read(from: newer, modelConfig: config) }
}

/// A prefix cannot be folded into weights: merging a prefix or prefix+ln adapter is a clear error; LN and
/// BitFit adapters merge.
@Test func onlyWeightAdaptersMerge() throws {
    let config = try Tiny.model().config
    for name in ["prefix", "prefix-ln"] {
        let adapter = try AdapterFiles.read(from: Fixtures.url("adapters/from-lntune/\(name)"), modelConfig: config)
        let error = thrownError { () throws(TuningError) in try adapter.merge(into: GPT2Parameters(config: config)) }
        guard case let .cannotMerge(method, reason)? = error else {
            Issue.record("\(name): \(String(describing: error))")
            continue
        }
        #expect(method == adapter.configuration.name && reason.contains("prefix"))
    }
    let ln = try AdapterFiles.read(from: Fixtures.url("adapters/from-lntune/ln"), modelConfig: config)
    let parameters = try Tiny.checkpoint().parameters
    try ln.merge(into: parameters)
    #expect(Array(parameters[.block(1, .ln2Bias)]) == ln.tensors[.block(1, .ln2Bias)])
}

/// What LNTune writes for PEFT: an LN ablation names its modules explicitly and stores both terms of each
/// (the untrained gain equals the base); the recorded options come back; PEFT files without LNTune's record
/// get options inferred from their tensors.
@Test func lnAdapterFilesRecordTheAblation() throws {
    let model = try Tiny.model()
    let folder = Fixtures.url("adapters/from-lntune/ln-ablation")
    let adapter = try AdapterFiles.read(from: folder, modelConfig: model.config)
    let options = LNTuningOptions(terms: [.bias], modules: [.attn, .final], layers: 1...1)
    #expect(adapter.configuration == .ln(options))
    #expect(
        Set(adapter.tensors.keys) == [.block(1, .ln1Weight), .block(1, .ln1Bias), .finalNormWeight, .finalNormBias])
    #expect(adapter.tensors[.block(1, .ln1Weight)] == Array(model.parameters[.block(1, .ln1Weight)]))
    #expect(adapter.tensors[.block(1, .ln1Bias)] != Array(model.parameters[.block(1, .ln1Bias)]))

    let partial = try AdapterFiles.read(from: Fixtures.url("adapters/from-peft/ln-partial"), modelConfig: model.config)
    #expect(partial.configuration == .ln(LNTuningOptions(modules: [.mlp, .final], layers: 1...1)))
    let prefix = try AdapterFiles.read(from: Fixtures.url("adapters/from-peft/prefix"), modelConfig: model.config)
    #expect(prefix.configuration == .prefix(.init(virtualTokens: 3, projection: .mlp(hidden: 16))))
}

/// Writing a plain PEFT adapter into a folder that held an LNTune layout removes the stale manifest, so the
/// folder reads back as what was written last.
@Test func rewritingAFolderLeavesNoStaleManifest() throws {
    let folder = try TemporaryFolder()
    let config = try Tiny.model().config
    let combined = try AdapterFiles.read(from: Fixtures.url("adapters/from-lntune/prefix-ln"), modelConfig: config)
    try AdapterFiles.write(combined, to: folder.url)
    var ln = combined
    ln.configuration = .ln(LNTuningOptions())
    ln.prefix = nil
    try AdapterFiles.write(ln, to: folder.url)
    #expect(try AdapterFiles.read(from: folder.url, modelConfig: config).configuration == .ln(LNTuningOptions()))
}

/// A recorded method that does not store every tensor the weights hold (an edited config beside other weights),
/// or whose recorded settings do not fit the model, is refused when read — found by the adapter_config.json fuzz
/// target, where such a folder read, then wrote back fewer tensors than it held.
@Test func aRecordedMethodMustAgreeWithTheWeights() throws {
    let folder = try TemporaryFolder()
    let config = try Tiny.model().config
    let ln = try copy("from-peft/ln", in: folder)
    let configURL = ln.appendingPathComponent("adapter_config.json")
    try edit(configURL) { json in
        json["lntune"] = ["method": "ln", "ln": ["terms": ["bias"], "modules": ["attn", "final"], "layers": [1, 1]]]
    }
    let narrower = thrownError { () throws(TuningError) in try AdapterFiles.read(from: ln, modelConfig: config) }
    guard case let .invalidAdapter(file, reason)? = narrower else {
        Issue.record("a one-layer record beside every layer's weights: \(String(describing: narrower))")
        return
    }
    #expect(file == ln.path)
    #expect(reason.contains("h.0.ln_1") && reason.contains("does not store"))

    try edit(configURL) { json in
        json["lntune"] = ["method": "ln", "ln": ["terms": ["bias"], "modules": ["attn"], "layers": [0, 7]]]
    }
    let outside = thrownError { () throws(TuningError) in try AdapterFiles.read(from: ln, modelConfig: config) }
    guard case let .invalidAdapter(_, outsideReason)? = outside else {
        Issue.record("a record of layers 0-7 on a \(config.nLayer)-layer model: \(String(describing: outside))")
        return
    }
    #expect(outsideReason.contains("do not fit this model") && outsideReason.contains("ln-layers"))
}
