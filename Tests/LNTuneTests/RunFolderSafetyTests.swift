import Foundation
import GPT2
import LNTune
import TestSupport
import Testing
import Tuning

/// Two runs into one `--out` at once used to both finish with status 0, leaving a folder that mixed their
/// files: a run holds a lock on its folder, and a second run (even with --overwrite, or --resume) is refused,
/// naming the holder, until the first is gone.
@Test func aSecondRunIntoABusyFolderIsRefused() throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let settings = fixture.settings(out: "busy", maxSteps: 2)
    do {
        let first = try Trainer(settings: settings)
        #expect {
            try Trainer(settings: settings, overwrite: true)
        } throws: { error in
            guard case let .training(.runInProgress(path, holder))? = error as? LNTuneError else { return false }
            return path == RunFolder(settings.out).url.path && holder.hasPrefix("pid ")
        }
        #expect(try first.run().status == .completed)
    }
    // The first trainer is gone, and its lock with it.
    #expect(try Trainer(settings: settings, overwrite: true).run().status == .completed)
}

/// The temporary files that killed writes leave (one per kill during a checkpoint save, as large as the
/// trainable state) are removed when a run starts — new with --overwrite, or resumed — and reported; a hidden
/// file of the user's is kept.
@Test func leftoversOfKilledWritesAreRemoved() throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let settings = fixture.settings(out: "leftovers", epochs: 2)
    _ = try Trainer(settings: settings).run(control: TrainingControl(stopAfterSteps: 1))
    let folder = RunFolder(settings.out)
    let leftovers = [
        ".checkpoint.safetensors.4242.17.tmp", ".run.json.1.2.tmp", ".dat.nosync2a.Xy12Z",
        "best/.adapter_model.safetensors.9.9.tmp",
    ]
    try FileManager.default.createDirectory(at: folder.best, withIntermediateDirectories: true)
    for name in leftovers + [".keep"] { try Data("x".utf8).write(to: folder.url.appendingPathComponent(name)) }

    do {
        let resumed = try Trainer(settings: settings, resume: true)
        #expect(resumed.notices == [.removedLeftovers(folder: folder.url.path, files: leftovers.sorted())])
        for name in leftovers {
            #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(name).path))
        }
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".keep").path))
        _ = try resumed.run()
    }

    try Data("x".utf8).write(to: folder.url.appendingPathComponent(leftovers[0]))
    #expect(try Trainer(settings: settings, overwrite: true).notices.count == 1)
}

/// The advice for a folder that holds a run fits what is there: --resume is offered only with a checkpoint,
/// and resuming a run that ended without one says how it ended and what to do instead.
@Test func folderAdviceFitsTheRunThere() throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let finished = fixture.settings(out: "finished", maxSteps: 2)
    _ = try Trainer(settings: finished).run()
    let newRun = thrownText { try Trainer(settings: finished) }
    #expect(newRun.contains("nothing to --resume") && newRun.contains("--overwrite"), "\(newRun)")
    let resume = thrownText { try Trainer(settings: finished, resume: true) }
    #expect(resume.contains("finished (status completed") && resume.contains("final/"), "\(resume)")

    var diverging = fixture.settings(out: "diverged", maxSteps: 6, learningRate: 1e30)
    diverging.dev = nil
    _ = thrown { try Trainer(settings: diverging).run() }
    let diverged = thrownText { try Trainer(settings: diverging, resume: true) }
    #expect(diverged.contains("status diverged") && diverged.contains("--overwrite"), "\(diverged)")
}

/// A checkpoint changed on disk after it was written is refused by `--resume` with the checksum named; one
/// from before checksums resumes with a notice.
@Test func aDamagedCheckpointIsRefusedOnResume() throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let settings = fixture.settings(out: "damaged", epochs: 3)
    _ = try Trainer(settings: settings).run(control: TrainingControl(stopAfterSteps: 2))
    let folder = RunFolder(settings.out)
    let intact = try Data(contentsOf: folder.checkpoint)
    var damaged = intact
    damaged[damaged.count - 5] ^= 0x10
    try damaged.write(to: folder.checkpoint)
    let refusal = thrownText { try Trainer(settings: settings, resume: true) }
    #expect(refusal.contains("checksum") && refusal.contains(folder.checkpoint.path), "\(refusal)")

    // The same checkpoint without its checksum (as written before checksums existed).
    try intact.write(to: folder.checkpoint)
    let file = try SafeTensorsFile.open(folder.checkpoint)
    var tensors: [(name: String, shape: [Int], data: [Float])] = []
    for name in file.tensorNames {
        tensors.append((name, try #require(file.info(name)).shape, try file.readFloat32(name)))
    }
    var metadata = file.metadata
    metadata[TrainingCheckpoint.checksumKey] = nil
    try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, to: folder.checkpoint)
    let old = try Trainer(settings: settings, resume: true)
    #expect(old.notices == [.unverifiedCheckpoint(path: folder.checkpoint.path)])
    #expect(try old.run().status == .completed)
}

/// A training log cut short after the checkpoint was written is not padded back to the recorded length (which
/// filled it with NUL bytes): the resumed run appends to what is left and says so.
@Test func aShortenedLogIsNotPaddedWithZeros() throws {
    let fixture = try TrainingFixture(.short(train: 8, dev: 4))
    let settings = fixture.settings(out: "short-log", epochs: 2)
    _ = try Trainer(settings: settings).run(control: TrainingControl(stopAfterSteps: 2))
    let folder = RunFolder(settings.out)
    let recorded = try Data(contentsOf: folder.log)
    try recorded.prefix(10).write(to: folder.log)
    do {
        let resumed = try Trainer(settings: settings, resume: true)
        #expect(resumed.notices == [.shortLog(path: folder.log.path, missingBytes: UInt64(recorded.count - 10))])
        _ = try resumed.run()
    }
    #expect(try !Data(contentsOf: folder.log).contains(0))
}

/// A PEFT LN_TUNING adapter written by Python (no "lntune" record) for a 2-block model is refused on a 3-block
/// model by the one loader, with the blocks it lacks — not applied with block 2 untuned.
@Test func aPEFTAdapterOfAShallowerModelIsRefusedByTheLoader() throws {
    let folder = try TemporaryFolder()
    let shallow = try LoaderFixtures.model("shallow", config: LoaderFixtures.config(layers: 2), in: folder.url)
    let deep = try LoaderFixtures.model("deep", config: LoaderFixtures.config(layers: 3), in: folder.url)
    let adapter = try LoaderFixtures.adapter(
        .ln(LNTuningOptions()), for: shallow, baseModel: nil, into: folder.url.appendingPathComponent("peft-ln"))
    let config = adapter.appendingPathComponent("adapter_config.json")
    var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
    json["lntune"] = nil
    try JSONSerialization.data(withJSONObject: json).write(to: config)
    #expect {
        try ModelLoader.load(ModelRequest(model: deep.path, adapter: adapter.path))
    } throws: { error in
        guard case let .tuning(.invalidAdapter(_, reason))? = error as? LNTuneError else { return false }
        return reason.contains("h.2.ln_1") && reason.contains("fewer blocks")
    }
}

/// The error `body` throws, or nil.
func thrown<T>(_ body: () throws -> T) -> Error? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The message of the error `body` throws ("no error" when it throws none).
func thrownText<T>(_ body: () throws -> T) -> String { thrown(body).map { "\($0)" } ?? "no error" }
