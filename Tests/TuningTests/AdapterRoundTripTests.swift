import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// The batch every adapter fixture's logits are computed on (eval/reference/make_adapter_fixtures.py).
private struct AdapterBatch: Decodable {
    let batch_size: Int, length: Int, tokens: [Int32]
    static func load() throws -> TokenBatch {
        let b = try Fixtures.json(AdapterBatch.self, "adapters/batch.json")
        return try TokenBatch(tokens: b.tokens, batchSize: b.batch_size, length: b.length)
    }
}

/// Logits of the tiny model with the adapter in `folder` (or the whole model there, for merged folders).
private func logits(adapterAt folder: URL, wholeModel: Bool = false) throws -> [Float] {
    let batch = try AdapterBatch.load()
    if wholeModel {
        return try GPT2Model(checkpoint: GPT2Checkpoint.load(directory: folder)).logits(batch).values
    }
    let model = try Tiny.model()
    let adapter = try AdapterFiles.read(from: folder, modelConfig: model.config)
    try adapter.apply(to: model.parameters)
    return try model.logits(batch, prefix: adapter.prefix).values
}

/// PEFT's logits for each adapter in adapters/from-peft, and for the base model under "base".
private let peftLogits = FixtureTable<[String: [Float]]>("adapters/from-peft/expected.json")

/// Adapters PEFT saved (LN_TUNING with all and with explicit target modules, PREFIX_TUNING with and without
/// the MLP) give LNTune the logits PEFT computes with them, within 1e-4 of their scale.
@Test(arguments: try peftLogits.cases(count: 4) { $0.keys.filter { $0 != "base" }.sorted() })
func peftAdaptersGiveTheLogitsPEFTComputes(_ name: String) throws {
    let expected = try peftLogits.value()
    let got = try logits(adapterAt: Fixtures.url("adapters/from-peft/\(name)"))
    let want = try #require(expected[name])
    #expect(scaledError(got, want) <= 1e-4, "\(name): \(scaledError(got, want))")
    #expect(maxAbsDifference(got, try #require(expected["base"])) > 1e-3, "\(name) does not change the model")
}

/// The adapters LNTune wrote, loaded by PEFT / transformers with the documented recipes (the script checks
/// each), give the logits LNTune computes with them — and `lntune merge`'s whole-model folders load in
/// transformers with the same logits as the adapters they merge.
@Test(arguments: AdapterFixtureBuilder.methods.map(\.0) + AdapterFixtureBuilder.merged.map(\.0))
func lntuneAdaptersGiveTheLogitsPEFTComputes(_ name: String) throws {
    let expected = try Fixtures.json([String: [Float]].self, "adapters/from-lntune/expected.json")
    let folder = AdapterFixtureBuilder.folder.appendingPathComponent(name)
    let got = try logits(adapterAt: folder, wholeModel: name.hasPrefix("merged-"))
    let want = try #require(expected[name], "no PEFT logits for \(name): rerun make_adapter_fixtures.py")
    #expect(scaledError(got, want) <= 1e-4, "\(name): \(scaledError(got, want))")
}

/// The committed from-lntune files are what the current writer produces (configs byte for byte, tensors
/// within 1e-5 of their scale — kernel changes may move the last bits of the trained values), so the PEFT
/// check above keeps covering today's writer.
@Test func committedAdaptersAreWhatTheWriterWrites() throws {
    let fresh = try TemporaryFolder()
    try AdapterFixtureBuilder.write(to: fresh.url)
    #expect(try compareWithCommitted(written: fresh.url, committed: AdapterFixtureBuilder.folder) >= 20)
}

/// Compares every file under `written` with the same path under `committed` (JSON byte for byte, tensors
/// within 1e-5 of their scale); returns how many files were compared.
func compareWithCommitted(written: URL, committed: URL) throws -> Int {
    let fm = FileManager.default
    let files = try #require(fm.enumerator(atPath: written.path)?.compactMap { $0 as? String })
    var compared = 0
    for relative in files.sorted() where !relative.hasPrefix(".") {
        let new = written.appendingPathComponent(relative)
        let old = committed.appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: new.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
        #expect(fm.fileExists(atPath: old.path), "\(relative) is not committed: rerun the fixture writer")
        guard fm.fileExists(atPath: old.path) else { continue }
        if relative.hasSuffix(".json") {
            #expect(try Data(contentsOf: new) == Data(contentsOf: old), "\(relative) changed")
        } else {
            let (a, b) = (try SafeTensorsFile.open(new), try SafeTensorsFile.open(old))
            #expect(a.tensorNames == b.tensorNames, "\(relative): tensor names changed")
            for name in a.tensorNames where b.info(name) != nil {
                #expect(a.info(name)?.shape == b.info(name)?.shape)
                let error = scaledError(try a.readFloat32(name), try b.readFloat32(name))
                #expect(error <= 1e-5, "\(relative): \(name) differs by \(error)")
            }
        }
        compared += 1
    }
    return compared
}

/// Regenerates Tests/Fixtures/adapters/from-lntune (then run eval/reference/make_adapter_fixtures.py).
@Test(
    .enabled(
        if: ProcessInfo.processInfo.environment["LNTUNE_WRITE_ADAPTER_FIXTURES"] == "1",
        "writes fixtures, not a check: set LNTUNE_WRITE_ADAPTER_FIXTURES=1 to regenerate them"))
func writeAdapterFixtures() throws {
    let root = AdapterFixtureBuilder.folder
    for (name, _) in AdapterFixtureBuilder.methods
        + AdapterFixtureBuilder.merged.map({ ($0.0, LNTuning() as any TuningMethod) })
    {
        let old = root.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: old.path) { try FileManager.default.removeItem(at: old) }
    }
    try AdapterFixtureBuilder.write(to: root)
    print("wrote \(root.path); now run ../venv/bin/python eval/reference/make_adapter_fixtures.py")
}
