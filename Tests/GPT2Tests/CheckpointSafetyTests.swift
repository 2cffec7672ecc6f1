import Foundation
import Testing
import TestSupport

import GPT2

/// Sets `values` (integers where they parse as one) in the config.json of `folder`.
private func setConfig(_ folder: URL, _ values: [String: String]) throws {
    let url = folder.appendingPathComponent("config.json")
    var object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    for (key, value) in values { object[key] = Int(value) ?? value }
    try JSONSerialization.data(withJSONObject: object).write(to: url)
}

/// A config.json whose model would need hundreds of terabytes, beside the tiny checkpoint's header: the header
/// comparison rejects it by name, before anything the size of the config is allocated (were the buffer
/// allocated first, this would be a failed allocation or a memory error instead).
@Test(arguments: [
    (["n_layer": "1024"], "missingTensor", "transformer.h.2.ln_1.weight"),
    (["n_layer": "1024", "n_embd": "65536", "n_head": "4"], "shapeMismatch", nil),
    (["vocab_size": "16777216"], "shapeMismatch", "transformer.wte.weight"),
])
func hugeConfigWithSmallHeaderIsRefusedByName(values: [String: String], kind: String, tensor: String?) throws {
    let root = try TemporaryFolder()
    let folder = try root.copy(fixture: "tiny-gpt2")
    try setConfig(folder, values)
    do {
        _ = try GPT2Checkpoint.load(directory: folder)
        Issue.record("loaded")
    } catch {
        #expect(error.kind == kind, "\(error)")
        #expect(error.tensor != nil && (tensor == nil || error.tensor == tensor), "\(error)")
    }
}

/// A model that does not fit is refused with both figures; the need counts the parameter buffer and, when the
/// checkpoint stores the tied head, the copy the tie check converts.
@Test(arguments: ["tiny-gpt2", "checkpoints/lm-head"])
func modelLargerThanTheMemoryLimitIsRefused(fixture: String) throws {
    let root = try TemporaryFolder()
    let folder = try root.copy(fixture: fixture)
    let config = try GPT2Config.load(contentsOf: folder.appendingPathComponent("config.json"))
    let parameters = try #require(config.parameterCount)
    let head = fixture.hasSuffix("lm-head") ? config.vocabSize * config.nEmbd : 0
    let needed = (parameters + head) * 4
    #expect(
        throws: GPT2Error.modelTooLarge(
            directory: folder.path, parameters: parameters, neededBytes: needed, availableBytes: needed - 1)
    ) {
        try GPT2Checkpoint.load(directory: folder, memoryLimit: needed - 1)
    }
    _ = try GPT2Checkpoint.load(directory: folder, memoryLimit: needed)
    let message = GPT2Error.modelTooLarge(
        directory: "m", parameters: 124_439_808, neededBytes: 497_759_232, availableBytes: 1 << 30
    ).description
    #expect(message.contains("474.7 MiB") && message.contains("1.0 GiB") && message.contains("124439808"), "\(message)")
}

/// The machine's memory is known on the platforms LNTune runs on, so the default limit is a real check.
@Test func physicalMemoryIsKnown() throws {
    let bytes = try #require(MemoryBudget.physicalBytes)
    #expect(bytes > 1 << 26)
}

/// A NaN or infinity anywhere in a checkpoint tensor fails the load naming the tensor and the first bad index,
/// wherever it sits in the 16-lane scan and in whichever tensor (a NaN payload other than the default one too).
@Test(arguments: [
    ("transformer.h.1.mlp.c_fc.weight", 5, Float.nan, "nan"),
    ("transformer.h.0.ln_1.bias", 31, Float.infinity, "inf"),
    ("transformer.wte.weight", 307 * 32 - 1, -Float.infinity, "-inf"),
    ("transformer.ln_f.weight", 17, Float(bitPattern: 0x7FC0_0001), "nan"),
])
func nonFiniteTensorsAreRefused(tensor: String, index: Int, value: Float, text: String) throws {
    let root = try TemporaryFolder()
    let folder = try root.copy(fixture: "tiny-gpt2")
    let weights = folder.appendingPathComponent("model.safetensors")
    var tensors = try BrokenCheckpoint.tensors(of: weights)
    let position = try #require(tensors.firstIndex { $0.name == tensor })
    tensors[position].data[index] = value
    if index > 0 { tensors[position].data[index - 1] = .greatestFiniteMagnitude }
    try SafeTensorsWriter.write(tensors: tensors, to: weights)
    #expect(throws: GPT2Error.nonFiniteTensor(file: weights.path, tensor: tensor, index: index, value: text)) {
        try GPT2Checkpoint.load(directory: folder)
    }
}

/// The finite check runs per parallel chunk of a large tensor and reports the first bad index over all chunks,
/// down to the scalar tail of the last chunk (37 values past a multiple of 16).
@Test func nonFiniteValuesInLargeTensorsAreFoundAcrossChunks() throws {
    let count = (3 << 20) + 37
    let root = try TemporaryFolder()
    let url = root.url.appendingPathComponent("big.safetensors")
    var values = [Float](repeating: 1.5, count: count)
    var target = [Float](repeating: 0, count: count)
    for (bad, expected) in [([(1 << 20) + 3, count - 1], (1 << 20) + 3), ([count - 1], count - 1)] {
        values = values.map { $0.isFinite ? $0 : 1.5 }
        for index in bad { values[index] = index == count - 1 ? .nan : .infinity }
        try SafeTensorsWriter.write(tensors: [(name: "big", shape: [count], data: values)], to: url)
        let file = try SafeTensorsFile.open(url)
        let error = GPT2Error.nonFiniteTensor(
            file: url.path, tensor: "big", index: expected, value: expected == count - 1 ? "nan" : "inf")
        try target.withUnsafeMutableBufferPointer { buffer in
            #expect(throws: error) { try file.readFiniteFloat32("big", into: buffer) }
            try file.readFloat32("big", into: buffer)  // the unchecked read keeps its behaviour
        }
        #expect(target[count - 1].isNaN)
    }
}
