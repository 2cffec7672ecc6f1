import Foundation
import GPT2
import LNTune
import TestSupport
import Testing

/// Merging an LN or BitFit adapter writes a complete model folder equal, tensor for tensor, to the one
/// transformers was shown to load with the adapter's logits (Tests/Fixtures/adapters/from-lntune/merged-*),
/// and keeps the base folder's tokenizer files.
@Test(arguments: [("ln", "merged-ln"), ("bitfit", "merged-bitfit")])
func mergeWritesTheCheckedModel(_ adapter: String, _ reference: String) throws {
    let folder = try TemporaryFolder()
    let base = try folder.copy(fixture: "tiny-gpt2")
    try Data("{}".utf8).write(to: base.appendingPathComponent("vocab.json"))
    try Data("#version: 0.2\n".utf8).write(to: base.appendingPathComponent("merges.txt"))
    let out = folder.url.appendingPathComponent("merged")
    let summary = try AdapterMerging.merge(
        model: base.path, adapter: Fixtures.url("adapters/from-lntune/\(adapter)").path, output: out)
    #expect(summary.copiedFiles == ["vocab.json", "merges.txt"])
    #expect(summary.replacedTensors == (adapter == "ln" ? 10 : 13))
    let merged = try GPT2Checkpoint.load(directory: out)
    let want = try GPT2Checkpoint.load(directory: Fixtures.url("adapters/from-lntune/\(reference)"))
    #expect(Array(merged.parameters.buffer).map(\.bitPattern) == Array(want.parameters.buffer).map(\.bitPattern))
    #expect(
        try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
            == [base.lastPathComponent, "merged"].sorted())
}

/// Merging refuses an existing output (even an empty folder) and prefix adapters, writing nothing.
@Test func mergeRefusals() throws {
    let folder = try TemporaryFolder()
    let existing = folder.url.appendingPathComponent("exists")
    try FileManager.default.createDirectory(at: existing, withIntermediateDirectories: true)
    let tiny = Fixtures.url("tiny-gpt2").path
    #expect(throws: LNTuneError.tuning(.outputExists(path: existing.path))) {
        try AdapterMerging.merge(model: tiny, adapter: Fixtures.url("adapters/from-lntune/ln").path, output: existing)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: existing.path).isEmpty)
    for name in ["prefix", "prefix-ln"] {
        let out = folder.url.appendingPathComponent(name)
        let error = #expect(throws: LNTuneError.self) {
            try AdapterMerging.merge(
                model: tiny, adapter: Fixtures.url("adapters/from-lntune/\(name)").path, output: out)
        }
        guard case let .tuning(.cannotMerge(method, _))? = error else {
            Issue.record("\(name): \(String(describing: error))")
            continue
        }
        #expect(method == (name == "prefix" ? "prefix" : "prefix+ln"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["exists"])
}
