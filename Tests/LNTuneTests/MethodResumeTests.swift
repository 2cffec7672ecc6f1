import Foundation
import LNTune
import Testing
import Tuning

/// Stopping a run of each issue-14 method after three steps and resuming it in a new trainer gives the
/// uninterrupted run's final and best adapter folders byte for byte (LoRA as PEFT files, the bottleneck
/// adapters as AdapterHub's, a `+ln` combination as the manifest and its parts) and the same training log.
/// The tuner-level check of every method is `resumeEqualsUninterrupted` (TuningTests); this one goes through
/// the trainer: the checkpoint, the batch cursor, the dev evaluation and the adapter writers. `lora+ln` runs
/// with `--lora-dropout 0.1`, so the resumed run must redraw the same LoRA masks.
@Test(arguments: [
    ("lora", [String]()), ("lora+ln", ["--lora-dropout", "0.1"]), ("adapter", []), ("adapter-houlsby", []),
    ("par-adapter", []), ("mam", ["--prefix-length", "3", "--prefix-hidden", "16"]), ("adapter+ln", []),
])
func newMethodsResumeToTheUninterruptedFiles(method name: String, options: [String]) throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 4))
    let method = try TuningMethods.configuration(named: name, arguments: options)
    let straightSettings = fixture.settings(out: "straight", method: method, epochs: 2, evalEvery: 2)
    var stoppedSettings = straightSettings
    stoppedSettings.out = fixture.folder.url.appendingPathComponent("stopped").path

    let straight = try Trainer(settings: straightSettings).run()
    #expect(straight.status == .completed && straight.completedSteps == 8)

    var control = TrainingControl(stop: StopRequest())
    control.stopAfterSteps = 3
    let first = try Trainer(settings: stoppedSettings).run(control: control)
    #expect(first.status == .interrupted && first.completedSteps == 3)
    let folder = RunFolder(stoppedSettings.out)
    #expect(!FileManager.default.fileExists(atPath: folder.final.path))

    let resumed = try Trainer(settings: stoppedSettings, resume: true)
    #expect(resumed.overview.startStep == 3)
    let second = try resumed.run()
    #expect(second.status == .completed && second.completedSteps == straight.completedSteps)
    #expect(second.bestDevLoss == straight.bestDevLoss && second.bestStep == straight.bestStep)

    let straightFolder = RunFolder(straightSettings.out)
    for (a, b) in [(straightFolder.final, folder.final), (straightFolder.best, folder.best)] {
        let want = try TrainingFixture.files(in: a.path), got = try TrainingFixture.files(in: b.path)
        #expect(!want.isEmpty && got == want, "\(name): \(b.lastPathComponent)/ differs from the uninterrupted run's")
    }
    #expect(try Data(contentsOf: folder.log) == Data(contentsOf: straightFolder.log))
    // The adapter read back is the method trained (the files are its native ones, not a generic dump).
    let adapter = try AdapterFiles.read(from: folder.final, modelConfig: TrainingFixture.config)
    #expect(adapter.configuration == method)
}
