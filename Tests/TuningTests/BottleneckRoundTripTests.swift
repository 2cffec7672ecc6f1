import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// The bottleneck adapters LNTune writes for the AdapterHub round trip (Tests/Fixtures/bottleneck/from-lntune/):
/// each method's values moved away from their initialisation by seeded noise (not by training, so the files
/// do not change with every kernel speedup). `make_bottleneck_fixtures.py --from-lntune` loads them with the
/// `adapters` library (and PEFT for the LN part of a combination) and records their logits.
enum BottleneckFixtureBuilder {
    static let folder = Fixtures.url("bottleneck/from-lntune")
    static let smallPrefix = PrefixTuningOptions(virtualTokens: 3, projection: .mlp(hidden: 8), shiftsPositions: false)

    /// Adapter folder name → method.
    static let methods: [(String, any TuningMethod)] = [
        ("adapter", BottleneckTuning(.sequential)),
        ("adapter-houlsby", BottleneckTuning(.houlsby)),
        ("par-adapter", BottleneckTuning(.parallel)),
        (
            "adapter-r4-gelu-leave-out",
            BottleneckTuning(
                .sequential,
                options: BottleneckOptions(
                    attention: false, mlp: true, placement: .residualStream, reductionFactor: 4, nonlinearity: .gelu,
                    scaling: 0.5, leaveOut: [0]))
        ),
        ("mam", MAMTuning(prefix: smallPrefix)),
        (
            "mam-direct",
            MAMTuning(prefix: PrefixTuningOptions(virtualTokens: 2, projection: .direct, shiftsPositions: false))
        ),
        ("adapter-ln", TuningConfiguration.bottleneckLN(.sequential).method),
        ("mam-ln", TuningConfiguration.mamLN(prefix: smallPrefix).method),
    ]

    static func perturbed(_ method: any TuningMethod) throws -> Adapter {
        let options = TunerOptions(schedule: LearningRateSchedule(peak: 1e-3, totalSteps: 1), seed: 7)
        let tuner = try Tuner(model: try Tiny.model(), method: method, options: options)
        var random = TuningRandom(seed: 99)
        // The prefix encoder keeps its seeded initialisation; adapters and LayerNorms move by N(0, 0.3).
        for segment in tuner.segments where !segment.name.hasPrefix("prompt_encoder.") {
            for i in segment.valueBuffer.indices { segment.valueBuffer[i] += 0.3 * random.normal() }
        }
        return tuner.adapter(baseModel: "Tests/Fixtures/tiny-gpt2")
    }

    static func write(to root: URL) throws {
        for (name, method) in methods {
            try AdapterFiles.write(try perturbed(method), to: root.appendingPathComponent(name))
        }
    }
}

/// LNTune's logits with an adapter folder (the tiny model, the round-trip batch).
private func logits(_ folder: URL, batch: TokenBatch) throws -> [Float] {
    let model = try Tiny.model()
    let adapter = try AdapterFiles.read(from: folder, modelConfig: model.config)
    return try adapter.model(on: model).logits(batch, prefix: adapter.prefix).values
}

private struct FromLNTune: Decodable, Sendable {
    let batch: BottleneckFixture.Batch
    let logits: [String: [Float]]
    static let table = FixtureTable<FromLNTune>("bottleneck/from-lntune/expected.json")
}

/// The adapters LNTune wrote, loaded by AdapterHub's `load_adapter` (the script checks every tensor arrived), give
/// the logits LNTune computes with them, within 1e-4 of their scale.
@Test(arguments: try FromLNTune.table.cases(count: 8) { $0.logits.keys.sorted() })
func lntuneAdaptersGiveTheLogitsAdapterHubComputes(_ name: String) throws {
    let f = try FromLNTune.table.value()
    let got = try logits(BottleneckFixtureBuilder.folder.appendingPathComponent(name), batch: try f.batch.tokenBatch)
    let want = try #require(f.logits[name])
    #expect(scaledError(got, want) <= 1e-4, "\(name): \(scaledError(got, want))")
}

/// AdapterHub's own folders, read and written again by LNTune, give the same logits bit for bit (what LNTune
/// writes, it reads back as it read AdapterHub's).
@Test(arguments: BottleneckFixture.caseNames)
func adapterHubFoldersSurviveRewriting(_ name: String) throws {
    let f = try BottleneckFixture.table.value()
    let source = Fixtures.url("bottleneck/" + name)
    let batch = try f.logits_batch.tokenBatch
    let model = try Tiny.model()
    let adapter = try AdapterFiles.read(from: source, modelConfig: model.config)
    let copy = try TemporaryFolder()
    try AdapterFiles.write(adapter, to: copy.url)
    let reread = try AdapterFiles.read(from: copy.url, modelConfig: model.config)
    #expect(reread.configuration == adapter.configuration)
    #expect(bits(try logits(copy.url, batch: batch)) == bits(try logits(source, batch: batch)), "\(name)")
}

/// The committed from-lntune files are what the current writer produces (configs byte for byte, tensors bit
/// for bit: they are initial values plus seeded noise), so the AdapterHub check keeps covering today's writer.
@Test func committedBottleneckAdaptersAreWhatTheWriterWrites() throws {
    let fresh = try TemporaryFolder()
    try BottleneckFixtureBuilder.write(to: fresh.url)
    let fm = FileManager.default
    let files = try #require(fm.enumerator(atPath: fresh.url.path)?.compactMap { $0 as? String })
    var compared = 0
    for relative in files.sorted() {
        let new = fresh.url.appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: new.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
        let old = BottleneckFixtureBuilder.folder.appendingPathComponent(relative)
        #expect(try Data(contentsOf: new) == Data(contentsOf: old), "\(relative) changed: rerun the fixture writer")
        compared += 1
    }
    #expect(compared >= 20)
}

/// Regenerates Tests/Fixtures/bottleneck/from-lntune (then run make_bottleneck_fixtures.py --from-lntune).
@Test(
    .enabled(
        if: ProcessInfo.processInfo.environment["LNTUNE_WRITE_BOTTLENECK_FIXTURES"] == "1",
        "writes fixtures, not a check: set LNTUNE_WRITE_BOTTLENECK_FIXTURES=1 to regenerate them"))
func writeBottleneckFixtures() throws {
    let root = BottleneckFixtureBuilder.folder
    for (name, _) in BottleneckFixtureBuilder.methods {
        let old = root.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: old.path) { try FileManager.default.removeItem(at: old) }
    }
    try BottleneckFixtureBuilder.write(to: root)
}
