import Foundation
import GPT2
import LNTune
import TestSupport
import Testing
import WorkerThreads

/// Whether the bundled tiny model (data/tiny-model) is there: these tests train and decode it.
private let tinyModel = TrainingFixture.bundledModel

/// The thread counts compared: one, the target machine's two, and an odd three.
private let threadCounts = [1, 2, 3]

/// Every file of a run that must not depend on the thread count: the final and best adapters and the log.
private func runFiles(_ out: String) throws -> [String: Data] {
    let folder = RunFolder(out)
    var files = try TrainingFixture.files(in: folder.final.path).mapKeys { "final/" + $0 }
    files.merge(try TrainingFixture.files(in: folder.best.path).mapKeys { "best/" + $0 }) { a, _ in a }
    files["log"] = try Data(contentsOf: folder.log)
    return files
}

extension Dictionary where Key == String {
    fileprivate func mapKeys(_ transform: (String) -> String) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}

/// Names the files of `other` that differ from `reference` (or are missing from one of them).
private func differing(_ reference: [String: Data], _ other: [String: Data]) -> [String] {
    Set(reference.keys).union(other.keys).filter { reference[$0] != other[$0] }.sorted()
}

/// The run — `lntune train --method prefix+ln --seed 4 --max-steps 15` on the bundled sample and tiny
/// model — with `LNTUNE_THREADS` and `OPENBLAS_NUM_THREADS` both 1, 2 and 3 writes byte-identical adapters (both
/// parts, final and best) and logs; beam-search predictions with the trained adapter are byte-identical too.
/// An invalid `LNTUNE_THREADS` is refused with a message naming it.
@Test(
    .enabled(if: tinyModel != nil, "data/tiny-model is missing"),
    .enabled(
        if: lntuneExecutable() != nil,
        "no lntune executable beside the test runner (\(CommandLine.arguments[0])); run `swift build` first"))
func theCLIWritesTheSameBitsOnAnyThreadCount() throws {
    let executable = try #require(lntuneExecutable())
    let model = try #require(tinyModel).path
    let folder = try TemporaryFolder()
    let sample = TrainingFixture.sample
    let test = try TrainingFixture.subset("test.csv", rows: 6, extra: [], into: folder.url)
    var reference: (run: [String: Data], predictions: Data)?
    for threads in threadCounts {
        let environment = ["LNTUNE_THREADS": "\(threads)", "OPENBLAS_NUM_THREADS": "\(threads)"]
        let out = folder.url.appendingPathComponent("run-\(threads)").path
        let train = try runLNTune(
            executable,
            [
                "train", "--model", model, "--task", "e2e", "--train", sample.appendingPathComponent("train.csv").path,
                "--dev", sample.appendingPathComponent("dev.csv").path, "--method", "prefix+ln", "--seed", "4",
                "--max-steps", "15", "--out", out,
            ], environment: environment)
        #expect(train.status == 0, "\(train.output)")
        let predictions = folder.url.appendingPathComponent("predictions-\(threads).jsonl")
        let generate = try runLNTune(
            executable,
            [
                "generate", "--model", model, "--adapter", RunFolder(out).final.path, "--input", test.path, "--task",
                "e2e", "--decode", "beam", "--num-beams", "3", "--max-new-tokens", "24", "--out", predictions.path,
            ], environment: environment)
        #expect(generate.status == 0, "\(generate.output)")
        let now = (run: try runFiles(out), predictions: try Data(contentsOf: predictions))
        #expect(now.run.keys.contains("final/prefix/adapter_model.safetensors"))
        #expect(now.run.keys.contains("final/ln/adapter_model.safetensors"))
        if let reference {
            #expect(
                differing(reference.run, now.run).isEmpty, "\(threads) threads: \(differing(reference.run, now.run))")
            #expect(now.predictions == reference.predictions, "\(threads) threads: other predictions")
        } else {
            reference = now
        }
    }
    let refused = try runLNTune(executable, ["train", "--help"], environment: ["LNTUNE_THREADS": "two"])
    #expect(refused.status != 0 && refused.output.contains("LNTUNE_THREADS=\"two\""), "\(refused.output)")
}

/// Training through the library — LN-Tuning, Prefix-Tuning with LN-Tuning, full fine-tuning, LoRA and the
/// bottleneck adapter of the tiny model, batches of 8 (two shards each) and a dev evaluation — writes
/// byte-identical adapters and logs on 1, 2 and 3 threads.
@Test(
    .enabled(if: tinyModel != nil, "data/tiny-model is missing"),
    arguments: ["ln", "prefix+ln", "full", "lora", "adapter"])
func trainingWritesTheSameBitsOnAnyThreadCount(method: String) throws {
    let fixture = try TrainingFixture(.sample(train: 24, dev: 8, extraTrainRows: []), model: try #require(tinyModel))
    let configuration = try TuningMethods.defaults(named: method)
    var reference: [String: Data]?
    for threads in threadCounts {
        let settings = fixture.settings(
            out: "run-\(threads)", method: configuration, maxSteps: 4, batchSize: 8, evalEvery: 2)
        _ = try WorkerThreads.with(count: threads) { try Trainer(settings: settings).run() }
        let files = try runFiles(settings.out)
        if let reference {
            #expect(
                differing(reference, files).isEmpty, "\(method), \(threads) threads: \(differing(reference, files))")
        } else {
            reference = files
        }
    }
}

/// The tiny model's logits over a left-padded batch of prompts, and the ids greedy search, beam search and
/// seeded sampling generate from them, are the same bits on 1, 2 and 3 threads.
@Test(.enabled(if: tinyModel != nil, "data/tiny-model is missing"))
func logitsAndGeneratedIdsAreTheSameOnAnyThreadCount() throws {
    let generator = try Generator(ModelRequest(model: try #require(tinyModel).path))
    let sources = [
        "name : The Eagle | food : French", "name : Aromi | eatType : coffee shop | area : riverside",
        "name : Cotto", "name : Brass Lantern | priceRange : high | near : The Sorrento | familyFriendly : yes",
    ]
    let prompts = try sources.map { try generator.encodePrompt(" \($0) <|endoftext|>", maxNewTokens: 20) }
    let batch = try TokenBatch(rows: prompts.map { $0.map(Int32.init) }, padding: .left)
    var choices: [DecodingChoice] = []
    for mode in [DecodingChoice.Mode.greedy, .beam, .sample] {
        var choice = DecodingChoice()
        choice.mode = mode
        choice.numBeams = mode == .beam ? 3 : nil
        choice.seed = mode == .sample ? 17 : nil
        choice.maxNewTokens = 20
        choices.append(choice)
    }
    func run(_ threads: Int) throws -> (logits: [UInt32], ids: [[[Int]]]) {
        try WorkerThreads.with(count: threads) {
            let logits = try generator.languageModel.model.logits(batch).values.map(\.bitPattern)
            let ids = try choices.map { choice in
                try generator.generate(prompts, parameters: try generator.parameters(choice)).flatMap {
                    $0.map(\.tokens)
                }
            }
            return (logits, ids)
        }
    }
    let reference = try run(1)
    #expect(reference.logits.count == sources.count * batch.length * 743)
    for threads in threadCounts.dropFirst() {
        let other = try run(threads)
        #expect(other.logits == reference.logits, "\(threads) threads: other logits")
        #expect(other.ids == reference.ids, "\(threads) threads: other generated ids")
    }
}
