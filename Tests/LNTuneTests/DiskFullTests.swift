import Foundation
import LNTune
import TestSupport
import Testing

/// A small tmpfs to run out of space on, where this process may mount one (root on Linux); the tests that
/// need it are skipped elsewhere, with the reason.
final class SmallDisk {
    let url: URL
    private let holder: TemporaryFolder

    init?(kilobytes: Int) {
        guard let folder = try? TemporaryFolder() else { return nil }
        holder = folder
        url = folder.url.appendingPathComponent("disk", isDirectory: true)
        guard (try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)) != nil,
            runQuietly("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", url.path])
        else { return nil }
    }

    deinit { _ = runQuietly("/bin/umount", [url.path]) }

    /// Bytes still free.
    var free: Int {
        ((try? FileManager.default.attributesOfFileSystem(forPath: url.path))?[.systemFreeSize] as? NSNumber)?
            .intValue ?? 0
    }

    /// Fills the disk with a file of zeros until `bytes` are left (rounded to the page).
    func fill(leaving bytes: Int) throws {
        try Data(count: max(0, free - bytes)).write(to: url.appendingPathComponent("filler"))
    }

    func unfill() throws { try FileManager.default.removeItem(at: url.appendingPathComponent("filler")) }

    static let isAvailable: Bool = SmallDisk(kilobytes: 64) != nil
}

/// The disk fills up in the middle of a run: `lntune train` stops with an error that says the last checkpoint
/// is intact and to use --resume (the failed save left it as it was and no temporary file behind); once there
/// is space again, the same command with --resume finishes with the adapters and log of a run that never
/// stopped. Before, the run died without a checkpoint and --resume pointed the wrong way.
@Test(
    .enabled(
        if: lntuneExecutable() != nil,
        "no lntune executable beside the test runner (\(CommandLine.arguments[0])); run `swift build` first"),
    .enabled(if: SmallDisk.isAvailable, "cannot mount a small tmpfs here (needs root on Linux)"))
func aFullDiskMidRunKeepsTheLastCheckpoint() throws {
    let executable = try #require(lntuneExecutable())
    let disk = try #require(SmallDisk(kilobytes: 256))
    let fixture = try TrainingFixture(.short(train: 24, dev: 4))
    let settings: TrainingSettings = {
        var s = fixture.settings(epochs: 20)
        s.out = disk.url.appendingPathComponent("run").path
        s.saveEvery = 5
        s.dev = nil
        return s
    }()
    let command = [
        "train", "--model", fixture.model.path, "--task", "jsonl", "--train", fixture.train.path, "--epochs", "20",
        "--lr", "0.01", "--batch-size", "4", "--seed", "3", "--save-every", "5", "--log-every", "1000", "--out",
        settings.out,
        // The disk's budget is sized for the log and checkpoints; TensorBoard events would fill it first.
        "--report-to", "none",
    ]
    try disk.fill(leaving: 24 << 10)
    let full = try runLNTune(executable, command)
    #expect(full.status == 1, "\(full.output)")
    #expect(full.output.contains("No space left on device"), "\(full.output)")
    #expect(full.output.contains("is intact") || full.output.contains("is saved in"), "\(full.output)")
    #expect(full.output.contains("--resume"), "\(full.output)")
    let folder = RunFolder(settings.out)
    // run.json records the failure when there is room left to rewrite it; either way it stays readable.
    #expect([nil, .failed].contains(try RunRecord.read(from: folder.runRecord).result?.status))
    let hidden = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasSuffix(".tmp") }
    #expect(hidden.isEmpty, "a failed save left \(hidden)")

    try disk.unfill()
    let resumed = try runLNTune(executable, command + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.output)")
    var straight = settings
    straight.out = fixture.folder.url.appendingPathComponent("straight").path
    _ = try Trainer(settings: straight).run()
    #expect(try TrainingFixture.files(in: folder.final.path) == TrainingFixture.files(in: straight.out + "/final"))
    #expect(try Data(contentsOf: folder.log) == Data(contentsOf: RunFolder(straight.out).log))
}
