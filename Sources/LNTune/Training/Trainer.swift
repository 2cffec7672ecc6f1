import Collective
import Datasets
import Foundation
import GPT2
import Tokenizers
import Tuning

/// `lntune train` as a library: loads the model, tokenizer and data a `TrainingSettings` names, then runs
/// optimizer steps with dev evaluations, best/final adapters, checkpoints and a log (see `RunFolder` for the
/// files). Everything a run's result depends on — data order, prefix initialisation, optimizer state — is a
/// function of the settings, so `--resume` after an interruption gives the bit-identical adapter that an
/// uninterrupted run gives.
public final class Trainer {
    public let settings: TrainingSettings
    public let folder: RunFolder
    public let tuner: Tuner
    public let data: TrainingData
    public let modelFolder: URL
    /// The tokenizer folder or `.tiktoken` file.
    public let tokenizerFolder: URL
    /// What the loader noticed without refusing (the caller shows them; the library never prints).
    public let warnings: [LoadWarning]
    /// What the run did or found besides (leftover files removed, an unverifiable checkpoint).
    public let notices: [TrainingNotice]
    public internal(set) var times: PhaseTimes
    var schedule: StepSchedule
    let evaluator: DevEvaluator?
    var state: TrainerState
    var record: RunRecord
    let log: TrainingLog
    /// Held from the first change to the folder until the trainer goes away (rank 0's only).
    let lock: RunLock?
    /// The processes training together (one, or MPI ranks): rank 0 writes the folder; all take every step.
    public let processes: any Collective
    let steps: DataParallelSteps
    /// Dev evaluations of this session and their seconds, for the ETA.
    var evaluationClock = (count: 0, seconds: 0.0)

    /// Prepares a run: checks the output folder, loads and validates everything, and writes `run.json` (a new
    /// run) or restores the checkpoint (`resume`). Nothing in the folder changes until all inputs have loaded.
    /// With several `processes`, only rank 0 writes; the others read the checkpoint to resume (the folder must
    /// be on a file system they share) and keep their log in memory's bit bucket.
    public init(
        settings: TrainingSettings, resume: Bool = false, overwrite: Bool = false, command: [String]? = nil,
        processes: any Collective = SingleProcess()
    ) throws {
        try settings.validate()
        if resume && overwrite {
            throw LNTuneError.training(
                .invalidSetting(
                    name: "resume", value: "with --overwrite", hint: "choose one: continue the run or replace it"))
        }
        self.settings = settings
        self.processes = processes
        let writes = processes.isRoot
        let folder = RunFolder(settings.out)
        self.folder = folder
        if resume {
            guard FileManager.default.fileExists(atPath: folder.checkpoint.path) else {
                throw LNTuneError.training(.nothingToResume(path: folder.url.path, reason: folder.whyNotResumable()))
            }
        } else if writes && !overwrite && !folder.contents().isEmpty {
            throw LNTuneError.training(.outputExists(path: folder.url.path, files: folder.contents()))
        }

        var times = PhaseTimes()
        let loaded = try ModelLoader.load(
            ModelRequest(model: settings.model, tokenizer: settings.tokenizer, precision: settings.precision ?? .fp32))
        times.loadModel += loaded.timing.model
        times.loadTokenizer += loaded.timing.tokenizer
        (modelFolder, tokenizerFolder, warnings) = (loaded.modelFolder, loaded.tokenizerSource, loaded.warnings)
        let (model, tokenizer, config) = (loaded.model, loaded.tokenizer, loaded.config)
        let prefixLength = settings.method.method.prefix?.positionCount ?? 0
        let positions = try ModelLoader.positions(afterPrefix: prefixLength, in: config, source: "--prefix-length")
        let maxLength = settings.maxLength ?? positions
        guard maxLength <= positions else {
            throw LNTuneError.training(
                .invalidSetting(
                    name: "max-length", value: String(maxLength),
                    hint: "with \(prefixLength) prefix slots the model's \(config.nPositions) positions allow at most"
                        + " \(positions)"))
        }
        let data = try TrainingData.load(settings: settings, encoder: tokenizer, maxLength: maxLength, times: &times)
        self.data = data
        let hashes = try times.time(\.hashData) { try TrainingData.hashes(settings: settings) }

        let padID = Int32(loaded.endOfText)
        let batcher = try Batcher(
            sequences: data.train.sequences, batchSize: settings.batchSize, seed: settings.seed, padID: padID)
        schedule = StepSchedule(
            batcher: batcher, accumulation: settings.gradientAccumulation, epochs: settings.epochs,
            maxSteps: settings.maxSteps)
        guard schedule.countedSteps != nil else {
            throw LNTuneError.training(
                .invalidSetting(
                    name: "epochs", value: String(settings.epochs),
                    hint: "\(schedule.stepsPerEpoch) steps per epoch make more steps than can be counted;"
                        + " give fewer epochs or --max-steps"))
        }
        try settings.validate(totalSteps: schedule.totalSteps)
        tuner = try Tuner(
            model: model, method: settings.method.method,
            options: settings.tunerOptions(totalSteps: schedule.totalSteps))
        evaluator = try data.dev.map {
            try DevEvaluator(sequences: $0.sequences, batchSize: settings.batchSize, padID: padID)
        }

        let report = tuner.report
        var record = RunRecord(
            lntuneVersion: LNTuneVersion.string, command: command, settings: settings,
            resolved: .init(
                modelFolder: modelFolder.path, tokenizerFolder: tokenizerFolder.path,
                learningRate: settings.resolvedLearningRate, maxLength: maxLength,
                batchesPerEpoch: batcher.batchesPerEpoch,
                stepsPerEpoch: schedule.stepsPerEpoch, totalSteps: schedule.totalSteps,
                trainableParameters: report.trainable, allParameters: report.all),
            modelConfig: config, dataSHA256: hashes, train: SplitCounts(data.train),
            dev: data.dev.map(SplitCounts.init),
            platform: RunRecord.platformDescription, startedAt: RunRecord.timestamp())

        // All inputs have loaded: from here on the folder changes, under the lock.
        lock = writes ? try RunLock(folder: folder.url) : nil
        var notices: [TrainingNotice] = []
        if resume {
            let recorded = try RunRecord.read(from: folder.runRecord)
            let differences = record.differences(from: recorded)
            guard differences.isEmpty else {
                throw LNTuneError.training(.resumeMismatch(path: folder.url.path, differences: differences))
            }
            let saved = try TrainingCheckpoint.read(from: folder.checkpoint)
            if saved.storedChecksum == nil { notices.append(.unverifiedCheckpoint(path: folder.checkpoint.path)) }
            guard let blob = saved.trainerState,
                let trainerState = try? JSONDecoder().decode(TrainerState.self, from: blob),
                trainerState.completedSteps == saved.state.completedSteps
            else {
                throw LNTuneError.training(
                    .nothingToResume(
                        path: folder.checkpoint.path, reason: "the checkpoint has no valid trainer state"))
            }
            try tuner.restore(from: saved)
            state = trainerState
            record.startedAt = recorded.startedAt
            record.command = recorded.command
            log =
                writes
                ? try TrainingLog(url: folder.log, truncatingTo: trainerState.logLength)
                : TrainingLog(discarding: folder.log)
            if log.missingBytes > 0 {
                notices.append(.shortLog(path: folder.log.path, missingBytes: log.missingBytes))
            }
        } else if !writes {
            state = TrainerState(
                completedSteps: 0, cursor: BatchCursor(), bestDevLoss: nil, bestStep: nil, lastDevLoss: nil,
                initialDevLoss: nil, sinceImprovement: 0, logLength: 0)
            log = TrainingLog(discarding: folder.log)
        } else {
            try folder.prepareForNewRun(overwrite: overwrite)
            state = TrainerState(
                completedSteps: 0, cursor: BatchCursor(), bestDevLoss: nil, bestStep: nil, lastDevLoss: nil,
                initialDevLoss: nil, sinceImprovement: 0, logLength: 0)
            log = try TrainingLog(url: folder.log, truncatingTo: nil)
            try times.time(\.saving) { try record.write(to: folder.runRecord) }
        }
        let leftovers = writes ? try folder.removeLeftovers() : []
        if !leftovers.isEmpty { notices.append(.removedLeftovers(folder: folder.url.path, files: leftovers)) }
        self.notices = notices
        self.record = record
        self.times = times
        steps = DataParallelSteps(processes: processes, tuner: tuner)
    }

    public var overview: TrainingOverview {
        TrainingOverview(
            parameters: tuner.report, method: tuner.configuration.description, modelFolder: modelFolder.path,
            tokenizerFolder: tokenizerFolder.path, train: record.train, dev: record.dev, maxLength: data.maxLength,
            learningRate: settings.resolvedLearningRate, stepsPerEpoch: schedule.stepsPerEpoch,
            totalSteps: schedule.totalSteps, startStep: state.completedSteps)
    }

    /// The dev loss with the current trainable values (nil without a dev set).
    public func devLoss() throws -> Double? {
        try devLoss(stop: StopRequest(), observer: { _ in })
    }
}
