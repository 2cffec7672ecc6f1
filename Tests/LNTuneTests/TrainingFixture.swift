import Foundation
import GPT2
import LNTune
import TestSupport
import Testing
import Tuning

/// A small, fast training setup built per test: a random GPT-2 (n_embd 32, 2 layers, 256 positions) whose
/// vocabulary is the tiny BPE's (Tests/Fixtures/tiny-bpe, 674 ids — the committed tiny-gpt2 has 307 and
/// cannot read its ids), saved with that tokenizer as a model folder, and data: the first rows of
/// data/sample (task e2e, ~120 tokens a row), or short JSON Lines pairs (~15 tokens) for tests of the run
/// mechanics, which debug builds run far faster.
final class TrainingFixture: @unchecked Sendable {
    enum DataKind {
        case sample(train: Int, dev: Int, extraTrainRows: [String])
        case short(train: Int, dev: Int)
    }

    let folder: TemporaryFolder
    let model: URL
    let train: URL
    let dev: URL
    let task: String

    static let sample = Fixtures.repositoryRoot.appendingPathComponent("data/sample")
    /// The model the quickstart tunes (data/tiny-model), if it is there.
    static var bundledModel: URL? {
        let url = Fixtures.repositoryRoot.appendingPathComponent("data/tiny-model")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) ? url : nil
    }
    static let config = GPT2Config(
        vocabSize: 674, nPositions: 256, nEmbd: 32, nLayer: 2, nHead: 2, bosTokenId: 0, eosTokenId: 0)

    /// `.sample`: data rows of the sample's train and dev CSVs, with `extraTrainRows` appended verbatim to the
    /// training file (bad rows for the policy tests).
    /// `model`: an existing model folder to train instead of the random one (it is only read).
    init(_ data: DataKind = .short(train: 24, dev: 8), model existing: URL? = nil) throws {
        folder = try TemporaryFolder()
        if let existing {
            model = existing
        } else {
            model = folder.url.appendingPathComponent("model")
            try GPT2Checkpoint(config: Self.config, parameters: .random(config: Self.config, seed: 7)).save(to: model)
            for name in ["vocab.json", "merges.txt"] {
                try FileManager.default.copyItem(
                    at: Fixtures.url("tiny-bpe").appendingPathComponent(name), to: model.appendingPathComponent(name))
            }
        }
        switch data {
        case let .sample(trainRows, devRows, extra):
            task = "e2e"
            train = try Self.subset("train.csv", rows: trainRows, extra: extra, into: folder.url)
            dev = try Self.subset("dev.csv", rows: devRows, extra: [], into: folder.url)
        case let .short(trainRows, devRows):
            task = "jsonl"
            train = try Self.shortPairs(trainRows, offset: 0, to: folder.url.appendingPathComponent("train.jsonl"))
            dev = try Self.shortPairs(devRows, offset: 3, to: folder.url.appendingPathComponent("dev.jsonl"))
        }
    }

    /// `{"source": "Alder | Thai", "target": "Alder serves Thai food."}` for the names × foods from `offset` on.
    static func shortPairs(_ count: Int, offset: Int, to url: URL) throws -> URL {
        let names = ["Alder", "Birch", "Cedar", "Daisy", "Elm", "Fern", "Hazel"]
        let foods = ["Thai", "Italian", "French", "Indian", "Chinese"]
        let lines = (offset..<offset + count).map { i in
            let (name, food) = (names[i % names.count], foods[(i / names.count + i) % foods.count])
            return #"{"source": "\#(name) | \#(food)", "target": "\#(name) serves \#(food) food."}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The header and the first `rows` lines of a sample CSV (its rows are one line each), plus `extra`.
    static func subset(_ name: String, rows: Int, extra: [String], into folder: URL) throws -> URL {
        let text = try String(contentsOf: sample.appendingPathComponent(name), encoding: .utf8)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: true).map(String.init)
        let url = folder.appendingPathComponent(name)
        try (Array(lines.prefix(rows + 1)) + extra).map { $0 + "\r\n" }.joined().write(
            to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Settings for a short LN-Tuning run into `out` (a name inside the fixture folder).
    func settings(
        out: String = "run", method: TuningConfiguration = .ln(LNTuningOptions()), epochs: Int = 1,
        maxSteps: Int? = nil,
        batchSize: Int = 4, learningRate: Double = 1e-2, evalEvery: Int? = nil, onBadRow: String = "fail",
        withDev: Bool = true
    ) -> TrainingSettings {
        TrainingSettings(
            model: model.path, task: task, train: train.path, dev: withDev ? dev.path : nil, onBadRow: onBadRow,
            method: method, epochs: epochs, maxSteps: maxSteps, learningRate: learningRate, batchSize: batchSize,
            seed: 3,
            evalEvery: evalEvery, out: folder.url.appendingPathComponent(out).path)
    }

    /// Every file under `folder` (relative path → bytes), for bit-for-bit comparisons of adapters. A missing
    /// or empty folder is an error: two of them must not compare equal.
    static func files(in folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let root = URL(fileURLWithPath: folder)
        let listing = try #require(
            FileManager.default.enumerator(atPath: folder)?.allObjects as? [String], "cannot list \(folder)")
        for relative in listing {
            let url = root.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[relative] = try Data(contentsOf: url)
            }
        }
        try #require(!out.isEmpty, "no files in \(folder)")
        return out
    }
}
