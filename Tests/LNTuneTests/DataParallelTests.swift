import Collective
import Foundation
import LNTune
import TestSupport
import Testing
import Tuning

/// Data-parallel training with the ranks as threads of this process (`InMemoryRanks`): the same code as under
/// `mpirun` except the transport, so the default suite checks the bit-identity without Open MPI.
@Suite struct DataParallelTests {
    /// The bytes a run must share with the one-process run: final and best adapters and the log.
    static func runFiles(_ out: String) throws -> [String: Data] {
        let folder = RunFolder(out)
        var files: [String: Data] = [:]
        for (name, url) in [("final", folder.final), ("best", folder.best)] {
            for (file, data) in try TrainingFixture.files(in: url.path) { files["\(name)/\(file)"] = data }
        }
        files["log"] = try Data(contentsOf: folder.log)
        return files
    }

    static func differing(_ a: [String: Data], _ b: [String: Data]) -> [String] {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }

    /// A global batch of 10 (shards of 4, 4, 2), dev loss every 2 steps, dropout (whose masks are keyed by
    /// the shard's global index).
    static func settings(_ fixture: TrainingFixture, out: String, method: TuningConfiguration) -> TrainingSettings {
        var settings = fixture.settings(out: out, method: method, maxSteps: 4, batchSize: 10, evalEvery: 2)
        settings.dropout = 0.1
        return settings
    }

    /// Trains `settings` on `size` thread ranks; returns each rank's summary (or error).
    static func train(_ settings: TrainingSettings, ranks size: Int, resume: Bool = false) -> [Result<
        TrainingSummary, Error
    >] {
        let ranks = InMemoryRanks(size: size)
        return onEveryRank(size) { rank in
            let trainer = try Trainer(settings: settings, resume: resume, processes: ranks.rank(rank))
            return try trainer.run()
        }
    }

    @Test(arguments: ["ln", "prefix+ln", "full"])
    func ranksTrainToTheBitsOfOneProcess(name: String) throws {
        let methods = ["ln": TuningConfiguration.ln(), "prefix+ln": .prefixLN(), "full": .full]
        let method = try #require(methods[name])
        let fixture = try TrainingFixture(.sample(train: 48, dev: 8, extraTrainRows: []))
        let single = try Trainer(settings: Self.settings(fixture, out: "one", method: method)).run()
        #expect(single.completedSteps == 4)
        let expected = try Self.runFiles(fixture.folder.url.appendingPathComponent("one").path)
        for size in [2, 3] {
            let out = "ranks-\(size)"
            let results = Self.train(Self.settings(fixture, out: out, method: method), ranks: size)
            for (rank, result) in results.enumerated() {
                let summary = try result.get()
                #expect(summary.completedSteps == 4 && summary.lastDevLoss == single.lastDevLoss, "rank \(rank)")
            }
            let got = try Self.runFiles(fixture.folder.url.appendingPathComponent(out).path)
            #expect(Self.differing(expected, got).isEmpty, "\(name), \(size) ranks: \(Self.differing(expected, got))")
        }
    }

    /// Gradient accumulation (shards of several micro-batches dealt to the ranks), `--eval-metrics` with
    /// `--metric-for-best-model` (rank 0 decodes and broadcasts the scores, every rank decides on best/) and early
    /// stopping: 3 thread ranks write the log and adapters of one process and stop at the same step.
    @Test func accumulationDevMetricsAndEarlyStoppingMatchOneProcess() throws {
        let fixture = try TrainingFixture(.short(train: 40, dev: 6))
        func settings(_ out: String) -> TrainingSettings {
            var settings = fixture.settings(out: out, maxSteps: 8, batchSize: 6, evalEvery: 2)
            settings.gradientAccumulation = 2
            settings.earlyStoppingPatience = 1
            settings.devMetrics = DevMetricSettings(
                metrics: ["bleu"], metricForBestModel: "eval_bleu", samples: 3, maxNewTokens: 6)
            return settings
        }
        let single = try Trainer(settings: settings("one")).run()
        #expect(
            single.status == .stoppedEarly && single.completedSteps < 8, "\(single.status) \(single.completedSteps)")
        let results = Self.train(settings("three"), ranks: 3)
        for (rank, result) in results.enumerated() {
            let summary = try result.get()
            #expect(summary.status == single.status && summary.completedSteps == single.completedSteps, "rank \(rank)")
            #expect(summary.bestMetric == single.bestMetric, "rank \(rank)")
        }
        let log = try String(contentsOf: RunFolder(settings("one").out).log, encoding: .utf8)
        #expect(log.contains("\"bleu\""), "the dev metrics are logged")
        let (expected, got) = (
            try Self.runFiles(settings("one").out), try Self.runFiles(settings("three").out)
        )
        #expect(Self.differing(expected, got).isEmpty, "\(Self.differing(expected, got))")
    }

    /// A checkpoint written by one process resumes on 3 ranks (and the other way round is the MPI test's) to
    /// the bits of the uninterrupted run.
    @Test func aOneProcessCheckpointResumesOnThreeRanks() throws {
        let fixture = try TrainingFixture(.sample(train: 48, dev: 8, extraTrainRows: []))
        let method = TuningConfiguration.prefixLN()
        _ = try Trainer(settings: Self.settings(fixture, out: "one", method: method)).run()
        let settings = Self.settings(fixture, out: "split", method: method)
        let first = try Trainer(settings: settings).run(control: TrainingControl(stopAfterSteps: 3))
        #expect(first.status == .interrupted && first.completedSteps == 3)
        let results = Self.train(settings, ranks: 3, resume: true)
        for result in results { #expect(try result.get().completedSteps == 4) }
        let (expected, got) = (
            try Self.runFiles(fixture.folder.url.appendingPathComponent("one").path),
            try Self.runFiles(fixture.folder.url.appendingPathComponent("split").path)
        )
        #expect(Self.differing(expected, got).isEmpty, "\(Self.differing(expected, got))")
    }

    /// Each rank takes a contiguous run of the units, in order, the first ranks one more; together they cover
    /// every unit once.
    @Test func rankSharesAreContiguousAndCoverEverything() {
        #expect(RankShare.counts(count: 3, size: 2) == [2, 1])
        #expect(RankShare.counts(count: 10, size: 4) == [3, 3, 2, 2])
        #expect(RankShare.counts(count: 2, size: 3) == [1, 1, 0])
        for (count, size) in [(0, 1), (7, 3), (5, 8), (64, 16)] {
            let ranges = (0..<size).map { RankShare.range(count: count, rank: $0, size: size) }
            #expect(ranges.flatMap { Array($0) } == Array(0..<count), "\(count) over \(size)")
        }
    }

    /// `mpirun` on an lntune built without the trait is refused (N copies would train N identical runs into
    /// one folder); with the trait the real MPI tests cover the launch.
    @Test(.enabled(if: !Launch.supportsMPI, "this build has the MPI trait"), needsLNTune)
    func mpirunWithoutTheTraitIsRefused() throws {
        let folder = try TemporaryFolder()
        let sample = TrainingFixture.sample
        let run = try runLNTune(
            try #require(lntuneExecutable()),
            [
                "train", "--model", Fixtures.repositoryRoot.appendingPathComponent("data/tiny-model").path, "--task",
                "e2e", "--train", sample.appendingPathComponent("train.csv").path, "--max-steps", "1", "--out",
                folder.url.appendingPathComponent("run").path,
            ],
            environment: ["OMPI_COMM_WORLD_SIZE": "2"])
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("run/run.json").path))
        #expect(run.status != 0)
        #expect(run.output.contains("built without MPI"), "\(run.output)")
        #expect(run.output.contains("--traits MPI"), "\(run.output)")
    }
}
