import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// A copy of the PEFT-written `lora` fixture in a temporary folder, with `edit` applied to its config.
private func brokenCopy(
    in folder: TemporaryFolder, _ edit: (inout [String: Any]) -> Void = { _ in }
) throws -> URL {
    let target = folder.url.appendingPathComponent(UUID().uuidString)
    try FileManager.default.copyItem(at: Fixtures.url("lora/from-peft/lora"), to: target)
    let config = target.appendingPathComponent("adapter_config.json")
    var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
    edit(&object)
    try JSONSerialization.data(withJSONObject: object).write(to: config)
    return target
}

/// The error reading `folder` produces, as text (empty when it reads).
private func readError(_ folder: URL) -> String {
    do {
        _ = try AdapterFiles.read(from: folder, modelConfig: Tiny.config)
        return ""
    } catch {
        return error.description
    }
}

/// Bad LoRA adapter files are errors that name the file and what is wrong: an unknown config field, a setting
/// LNTune does not implement, a rank that does not match the tensors, targets that leave a tensor unexplained
/// or name a matrix the file lacks, targets naming nothing.
@Test func badLoRAAdaptersAreClearErrors() throws {
    let folder = try TemporaryFolder()
    let unknown = try brokenCopy(in: folder) { $0["lora_magic"] = 3 }
    #expect(readError(unknown).contains("unknown field 'lora_magic'"))
    let dora = try brokenCopy(in: folder) { $0["use_dora"] = true }
    #expect(readError(dora).contains("use_dora") && readError(dora).contains("DoRA"))
    let biased = try brokenCopy(in: folder) { $0["bias"] = "all" }
    #expect(readError(biased).contains("bias"))
    let ranks = try brokenCopy(in: folder) { $0["rank_pattern"] = ["c_attn": 2] }
    #expect(readError(ranks).contains("rank_pattern"))

    // A rank other than the tensors': the shape mismatch names the tensor.
    let rank = try brokenCopy(in: folder) { $0["r"] = 2 }
    #expect(readError(rank).contains("lora_A.weight' has shape [4, 32], but the model needs [2, 32]"))
    // Targets that also name c_proj: the file lacks those matrices.
    let more = try brokenCopy(in: folder) { $0["target_modules"] = ["c_attn", "c_proj"] }
    #expect(readError(more).contains("attn.c_proj.lora_A.weight"))
    // Targets that name only block 1: block 0's matrices are unexplained.
    let fewer = try brokenCopy(in: folder) { $0["target_modules"] = ["h.1.attn.c_attn"] }
    #expect(readError(fewer).contains("unexpected tensor 'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight'"))
    let nothing = try brokenCopy(in: folder) { $0["target_modules"] = ["lm_head"] }
    #expect(readError(nothing).contains("names no Linear"))
    let regex = try brokenCopy(in: folder) { $0["target_modules"] = #".*\.h\.\d+\.attn\.c_attn"# }
    #expect(readError(regex) == "", "a full-match regular expression naming the same modules reads")

    // A missing tensor file, and a tensor missing from it.
    let bare = try brokenCopy(in: folder)
    try FileManager.default.removeItem(at: bare.appendingPathComponent("adapter_model.safetensors"))
    #expect(readError(bare).contains("adapter_model.safetensors"))
    let partial = try brokenCopy(in: folder)
    let weights = partial.appendingPathComponent("adapter_model.safetensors")
    let file = try SafeTensorsFile.open(weights)
    var kept: [(name: String, shape: [Int], data: [Float])] = []
    for name in file.tensorNames where !name.contains("h.1.attn.c_attn.lora_B") {
        kept.append((name, try #require(file.info(name)).shape, try file.readFloat32(name)))
    }
    try SafeTensorsWriter.write(tensors: kept, metadata: ["format": "pt"], to: weights)
    #expect(readError(partial).contains("h.1.attn.c_attn.lora_B.weight"))
}

/// Command-line LoRA options are checked with a message naming the option.
@Test func badLoRAOptionsAreRefused() {
    func message(_ words: String...) -> String {
        do {
            _ = try TuningMethods.configuration(named: "lora", arguments: words)
            return ""
        } catch {
            return error.description
        }
    }
    #expect(message("--lora-r", "0").contains("--lora-r '0'"))
    #expect(message("--lora-alpha", "-1").contains("--lora-alpha"))
    #expect(message("--lora-alpha", "x").contains("expected a number"))
    #expect(message("--lora-dropout", "1").contains("at least 0, less than 1"))
    #expect(message("--lora-targets", "c_attn,,c_fc").contains("--lora-targets"))
    #expect(message("--prefix-length", "3").contains("needs --method prefix"))
    let wrong = try? TuningMethods.configuration(named: "lora", arguments: ["--lora-targets", "wte"])
    #expect(throws: TuningError.self) { try wrong?.method.validate(for: Tiny.config) }
    #expect(
        (try? TuningMethods.configuration(named: "lora+ln", arguments: ["--lora-r", "4", "--ln-terms", "bias"]))
            == .loraLN(lora: LoRAOptions(rank: 4), ln: LNTuningOptions(terms: [.bias])))
}

/// Rewrites a LoRA folder's weights through `change` (name → (shape, values)).
private func editWeights(_ folder: URL, _ change: (inout [String: ([Int], [Float])]) -> Void) throws {
    let url = folder.appendingPathComponent("adapter_model.safetensors")
    let file = try SafeTensorsFile.open(url)
    var tensors: [String: ([Int], [Float])] = [:]
    for name in file.tensorNames { tensors[name] = (file.info(name)?.shape ?? [], try file.readFloat32(name)) }
    change(&tensors)
    try SafeTensorsWriter.write(
        tensors: tensors.sorted { $0.key < $1.key }.map { (name: $0.key, shape: $0.value.0, data: $0.value.1) },
        metadata: ["format": "pt"], to: url)
}

/// What the test above leaves out, each message naming the file (and the tensor where there is one): a
/// pickle where the safetensors file should be, a misshapen B under a config that fits the other tensors, a
/// non-finite value, an extra tensor PEFT would not write, a config that is not JSON, and no config at all.
@Test func badLoRAFilesNameTheFileAndTensor() throws {
    let folder = try TemporaryFolder()
    let prefix = "base_model.model.transformer.h.1.attn.c_attn"

    let pickle = try brokenCopy(in: folder)
    let weights = pickle.appendingPathComponent("adapter_model.safetensors")
    try FileManager.default.moveItem(at: weights, to: pickle.appendingPathComponent("adapter_model.bin"))
    let pickleText = readError(pickle)
    #expect(
        pickleText.contains(weights.path) && pickleText.contains("only adapter_model.bin (a pickle)"), "\(pickleText)")

    let reshaped = try brokenCopy(in: folder)
    try editWeights(reshaped) { $0["\(prefix).lora_B.weight"] = ([96, 3], [Float](repeating: 0, count: 288)) }
    let reshapedText = readError(reshaped)
    #expect(
        reshapedText.contains(reshaped.appendingPathComponent("adapter_model.safetensors").path)
            && reshapedText.contains("'\(prefix).lora_B.weight' has shape [96, 3], but the model needs [96, 4]"),
        "\(reshapedText)")

    let infinite = try brokenCopy(in: folder)
    try editWeights(infinite) { $0["\(prefix).lora_A.weight"]?.1[5] = .infinity }
    let infiniteText = readError(infinite)
    #expect(
        infiniteText.contains("\(prefix).lora_A.weight") && infiniteText.contains("adapter_model.safetensors"),
        "\(infiniteText)")

    let extra = try brokenCopy(in: folder)
    try editWeights(extra) { $0["\(prefix).lora_magnitude_vector"] = ([96], [Float](repeating: 1, count: 96)) }
    let extraText = readError(extra)
    #expect(extraText.contains("unexpected tensor '\(prefix).lora_magnitude_vector'"), "\(extraText)")

    let notJSON = try brokenCopy(in: folder)
    let config = notJSON.appendingPathComponent("adapter_config.json")
    try Data("{\"peft_type\": \"LORA\", ".utf8).write(to: config)
    let notJSONText = readError(notJSON)
    #expect(notJSONText.contains(config.path), "\(notJSONText)")

    let unknown = try brokenCopy(in: folder) { $0["lora_magic"] = 3 }
    #expect(readError(unknown).contains(unknown.appendingPathComponent("adapter_config.json").path))

    let bare = try brokenCopy(in: folder)
    try FileManager.default.removeItem(at: bare.appendingPathComponent("adapter_config.json"))
    let bareText = readError(bare)
    #expect(bareText.contains(bare.path) && !bareText.isEmpty, "\(bareText)")
}
