import Foundation
import Testing
import TestSupport

import GPT2

/// Checkpoint folders broken in one way each, built from tiny-gpt2, with the error they must produce.
enum BrokenCheckpoint: String, CaseIterable, Sendable {
    case shapeAgainstConfig, missingTensor, extraTensor, bufferOfMissingLayer, duplicateName
    case untiedHead, headWrongShape, integerTensor
    case pytorchOnly, noWeights, folderMissing
    case configNotJSON, configWrongType, configMissing, configUnsupported
    case shardMissing, shardIndexWrong, shardNameEscapes

    var expected: (kind: String, tensor: String?) {
        switch self {
        case .shapeAgainstConfig: return ("shapeMismatch", "transformer.wpe.weight")
        case .missingTensor: return ("missingTensor", "transformer.ln_f.bias")
        case .extraTensor: return ("unexpectedTensor", "transformer.h.0.attn.extra")
        case .bufferOfMissingLayer: return ("unexpectedTensor", "h.2.attn.bias")
        case .duplicateName: return ("duplicateTensor", "wte.weight")
        case .untiedHead: return ("untiedLMHead", nil)
        case .headWrongShape: return ("shapeMismatch", "lm_head.weight")
        case .integerTensor: return ("unsupportedDType", "transformer.ln_f.bias")
        case .pytorchOnly, .noWeights: return ("missingWeights", nil)
        case .folderMissing: return ("fileUnreadable", nil)
        case .configNotJSON, .configWrongType, .configMissing: return ("invalidConfig", nil)
        case .configUnsupported: return ("unsupportedConfig", nil)
        case .shardMissing: return ("fileUnreadable", nil)
        case .shardIndexWrong: return ("missingTensor", "transformer.ln_f.bias")
        case .shardNameEscapes: return ("invalidSafeTensors", nil)
        }
    }

    /// Words the message must contain to be useful (the file at fault and the hint).
    var messageMentions: [String] {
        switch self {
        case .pytorchOnly: return ["pytorch_model.bin", "convert it to safetensors"]
        case .configNotJSON, .configMissing, .configUnsupported: return ["config.json"]
        case .configWrongType: return ["config.json", "n_embd"]
        case .untiedHead: return ["lm_head.weight", "index 5"]
        case .shardMissing: return ["model-00002-of-00003.safetensors"]
        case .shardIndexWrong: return ["model-00001-of-00003.safetensors"]
        case .folderMissing: return ["nope", "no such folder"]
        default: return ["model.safetensors"]
        }
    }

    typealias Tensors = [(name: String, shape: [Int], data: [Float])]

    /// Builds the broken folder inside `root` and returns it.
    func make(in root: TemporaryFolder) throws -> URL {
        if rawValue.hasPrefix("shard") { return try makeSharded(in: root) }
        let folder = try root.copy(fixture: "tiny-gpt2")
        let weights = folder.appendingPathComponent("model.safetensors")
        let config = folder.appendingPathComponent("config.json")
        var tensors = try Self.tensors(of: weights)
        func index(_ name: String) throws -> Int { try #require(tensors.firstIndex { $0.name == name }) }
        let wte = tensors[try index("transformer.wte.weight")]
        switch self {
        case .shapeAgainstConfig: try edit(config, "\"n_positions\": 48", "\"n_positions\": 40")
        case .missingTensor: tensors.remove(at: try index("transformer.ln_f.bias"))
        case .extraTensor: tensors.append((name: "transformer.h.0.attn.extra", shape: [1], data: [0]))
        case .bufferOfMissingLayer: tensors.append((name: "h.2.attn.bias", shape: [1], data: [1]))
        case .duplicateName: tensors.append((name: "wte.weight", shape: wte.shape, data: wte.data))
        case .untiedHead:
            var head = wte.data
            head[5] += 1
            tensors.append((name: "lm_head.weight", shape: wte.shape, data: head))
        case .headWrongShape:
            tensors.append(
                (name: "lm_head.weight", shape: [wte.shape[0] - 1, wte.shape[1]], data: Array(wte.data.dropFirst(32))))
        case .integerTensor:
            try SafeTensorsWriter.write(tensors: tensors, to: weights)
            // I32 has F32's size, so patching the dtype keeps the header length and offsets valid.
            try edit(
                weights, "\"transformer.ln_f.bias\":{\"dtype\":\"F32\"", "\"transformer.ln_f.bias\":{\"dtype\":\"I32\"")
            return folder
        case .pytorchOnly:
            try FileManager.default.moveItem(at: weights, to: folder.appendingPathComponent("pytorch_model.bin"))
        case .noWeights: try FileManager.default.removeItem(at: weights)
        case .folderMissing: return folder.appendingPathComponent("nope")
        case .configNotJSON: try Data("{\"n_embd\": 32,".utf8).write(to: config)
        case .configWrongType: try edit(config, "\"n_embd\": 32", "\"n_embd\": \"32\"")
        case .configMissing: try FileManager.default.removeItem(at: config)
        case .configUnsupported: try edit(config, "gelu_new", "relu")
        case .shardMissing, .shardIndexWrong, .shardNameEscapes: break
        }
        if FileManager.default.fileExists(atPath: weights.path) {
            try SafeTensorsWriter.write(tensors: tensors, to: weights)
        }
        return folder
    }

    private func makeSharded(in root: TemporaryFolder) throws -> URL {
        let folder = try root.copy(fixture: "checkpoints/sharded")
        let index = folder.appendingPathComponent("model.safetensors.index.json")
        switch self {
        case .shardMissing:
            try FileManager.default.removeItem(at: folder.appendingPathComponent("model-00002-of-00003.safetensors"))
        case .shardIndexWrong:
            // ln_f.bias lives in the second shard; the index now claims the first.
            try edit(
                index, "\"transformer.ln_f.bias\": \"model-00002-of-00003.safetensors\"",
                "\"transformer.ln_f.bias\": \"model-00001-of-00003.safetensors\"")
        default:
            try edit(
                index, "\"transformer.ln_f.bias\": \"model-00002-of-00003.safetensors\"",
                "\"transformer.ln_f.bias\": \"../x.safetensors\"")
        }
        return folder
    }

    static func tensors(of url: URL) throws -> Tensors {
        let file = try SafeTensorsFile.open(url)
        return try file.tensorNames.map { name in
            (name: name, shape: try #require(file.info(name)).shape, data: try file.readFloat32(name))
        }
    }

    private func edit(_ url: URL, _ old: String, _ new: String) throws {
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        #expect(text.contains(old), "fixture text changed: \(old) not in \(url.lastPathComponent)")
        try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: url)
    }
}

/// Each broken checkpoint is rejected with the typed error that names its problem (kind, tensor, file, hint).
@Test(arguments: BrokenCheckpoint.allCases)
func brokenCheckpointsAreTypedErrors(_ broken: BrokenCheckpoint) throws {
    let root = try TemporaryFolder()
    let folder = try broken.make(in: root)
    do {
        _ = try GPT2Checkpoint.load(directory: folder)
        Issue.record("\(broken) loaded without error")
    } catch {
        #expect(error.kind == broken.expected.kind, "\(error)")
        #expect(error.tensor == broken.expected.tensor, "\(error)")
        for word in broken.messageMentions {
            #expect(error.description.contains(word), "'\(word)' not in: \(error)")
        }
    }
}
