import Foundation
import GPT2
import LNTune
import TestSupport
import Tuning

/// Small models, tokenizers and adapters for the loader tests, written into a temporary folder.
enum LoaderFixtures {
    /// A random model folder of `config` with the tiny BPE tokenizer (674 ids, `<|endoftext|>` = 0).
    static func model(_ name: String, config: GPT2Config, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try GPT2Checkpoint(config: config, parameters: .random(config: config, seed: 11)).save(to: url)
        for file in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(
                at: Fixtures.url("tiny-bpe").appendingPathComponent(file), to: url.appendingPathComponent(file))
        }
        return url
    }

    /// The tiny BPE's shape: 674 ids, `eos_token_id` 0 like its `<|endoftext|>`.
    static func config(layers: Int = 2, width: Int = 32, positions: Int = 64) -> GPT2Config {
        GPT2Config(
            vocabSize: 674, nPositions: positions, nEmbd: width, nLayer: layers, nHead: 2, bosTokenId: 0,
            eosTokenId: 0)
    }

    /// A byte-level `.tiktoken` file: the 256 bytes as ranks 0–255, so `<|endoftext|>` is 256 (257 ids).
    static func byteTiktoken(in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("bytes.tiktoken")
        let lines = (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)\n" }
        try lines.joined().write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A byte-level `vocab.json` + `merges.txt` folder taken from the tiny BPE: its 256 byte tokens (ids 1–256)
    /// and, with `endOfText`, its `<|endoftext|>` (id 0).
    static func byteVocabulary(in folder: URL, endOfText: Bool = true) throws -> URL {
        let url = folder.appendingPathComponent(endOfText ? "bytes" : "bytes-no-eot")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let data = try Data(contentsOf: Fixtures.url("tiny-bpe/vocab.json"))
        let vocab = try JSONSerialization.jsonObject(with: data) as? [String: Int] ?? [:]
        let kept = vocab.filter { $0.value <= 256 && (endOfText || $0.value > 0) }
        try JSONSerialization.data(withJSONObject: kept).write(to: url.appendingPathComponent("vocab.json"))
        try Data("#version: 0.2\n".utf8).write(to: url.appendingPathComponent("merges.txt"))
        return url
    }

    /// An adapter of `method` trained on the model in `modelFolder` (its current values), recording `baseModel`.
    static func adapter(
        _ method: TuningConfiguration, for modelFolder: URL, baseModel: String?, into url: URL
    ) throws -> URL {
        let model = try GPT2Model(checkpoint: GPT2Checkpoint.load(directory: modelFolder))
        let tuner = try Tuner(
            model: model, method: method.method, options: TunerOptions(schedule: .init(peak: 1, totalSteps: 1)))
        try AdapterFiles.write(tuner.adapter(baseModel: baseModel), to: url)
        return url
    }
}
