import Datasets
import Foundation
import Tuning

/// Everything `lntune train` was told, as plain data: what `run.json` records so a run can be reproduced, and
/// what `--resume` compares against the interrupted run. Paths are kept as the user typed them.
public struct TrainingSettings: Codable, Equatable, Sendable {
    /// `--model`: a model folder or a hub name (resolved through the local cache).
    public var model: String
    /// `--tokenizer`: a folder with vocab.json + merges.txt; nil = the model folder's.
    public var tokenizer: String?
    public var task: String
    public var train: String
    public var dev: String?
    /// `--max-dev-examples`: evaluate on the first N examples of the dev file only; nil = all of them.
    public var maxDevExamples: Int?
    public var promptTemplate: String?
    public var onBadRow: String
    /// Longest sequence in tokens; nil = the model's context minus the prefix length.
    public var maxLength: Int?
    public var method: TuningConfiguration
    public var epochs: Int
    /// Stop after this many optimizer steps (the schedule then spans exactly these steps).
    public var maxSteps: Int?
    /// Peak learning rate; nil = the method's default (`TuningMethod.defaultLearningRate`).
    public var learningRate: Double?
    public var schedule: LearningRateSchedule.Shape
    public var batchSize: Int
    /// Micro-batches per optimizer step.
    public var gradientAccumulation: Int
    /// Warm-up steps of the schedule.
    public var warmup: Int
    public var weightDecay: Float
    /// Global gradient-norm clipping threshold (0 = off).
    public var clip: Float
    public var seed: UInt64
    /// `--dropout`: GPT-2's dropout probability while training; nil (a run.json from before the option) or 0
    /// = none.
    public var dropout: Float?
    /// Evaluate the dev loss every N steps (besides each epoch end and the last step); nil = only those.
    public var evalEvery: Int?
    /// Write a resumable checkpoint every N steps (one is always written when a run is interrupted).
    public var saveEvery: Int?
    /// Stop after this many evaluations in a row without a new best dev loss; nil = never.
    public var earlyStoppingPatience: Int?
    public var out: String
    /// `--eval-metrics` and friends: generation metrics at each dev evaluation; nil = the dev loss only.
    public var devMetrics: DevMetricSettings?
    /// `--report-to`: nil (a run.json from before the option) = `tensorboard`.
    public var reportTo: ReportDestination?
    /// `--precision`: nil (a run.json from before the option) = fp32.
    public var precision: Precision?

    public init(
        model: String, tokenizer: String? = nil, task: String, train: String, dev: String? = nil,
        maxDevExamples: Int? = nil, promptTemplate: String? = nil, onBadRow: String = "fail", maxLength: Int? = nil,
        method: TuningConfiguration = .ln(LNTuningOptions()), epochs: Int = 1, maxSteps: Int? = nil,
        learningRate: Double? = nil, schedule: LearningRateSchedule.Shape = .linear, batchSize: Int = 8,
        gradientAccumulation: Int = 1, warmup: Int = 0, weightDecay: Float = 0, clip: Float = 1, seed: UInt64 = 42,
        dropout: Float? = nil, evalEvery: Int? = nil, saveEvery: Int? = nil, earlyStoppingPatience: Int? = nil,
        out: String, devMetrics: DevMetricSettings? = nil, reportTo: ReportDestination? = nil,
        precision: Precision? = nil
    ) {
        self.precision = precision
        self.model = model
        self.tokenizer = tokenizer
        self.task = task
        self.train = train
        self.dev = dev
        self.maxDevExamples = maxDevExamples
        self.promptTemplate = promptTemplate
        self.onBadRow = onBadRow
        self.maxLength = maxLength
        self.method = method
        self.epochs = epochs
        self.maxSteps = maxSteps
        self.learningRate = learningRate
        self.schedule = schedule
        self.batchSize = batchSize
        self.gradientAccumulation = gradientAccumulation
        self.warmup = warmup
        self.weightDecay = weightDecay
        self.clip = clip
        self.seed = seed
        self.dropout = dropout
        self.evalEvery = evalEvery
        self.saveEvery = saveEvery
        self.earlyStoppingPatience = earlyStoppingPatience
        self.out = out
        self.devMetrics = devMetrics
        self.reportTo = reportTo
    }

    /// Whether the run writes TensorBoard event files (`OUT/tensorboard/`).
    public var writesTensorBoard: Bool { (reportTo ?? .tensorboard) == .tensorboard }

    /// The peak learning rate this run uses.
    public var resolvedLearningRate: Double { learningRate ?? method.method.defaultLearningRate }

    public var trainingTask: TrainingTask { get throws { try TrainingTask(name: task) } }

    public var badRowPolicy: OnBadRow {
        get throws {
            guard let policy = OnBadRow(rawValue: onBadRow) else {
                throw LNTuneError.training(.invalidSetting(name: "on-bad-row", value: onBadRow, hint: "fail or skip"))
            }
            return policy
        }
    }

    /// Checks what can be checked without reading any file.
    public func validate() throws {
        func require(_ ok: Bool, _ name: String, _ value: CustomStringConvertible, _ hint: String) throws {
            if !ok { throw LNTuneError.training(.invalidSetting(name: name, value: value.description, hint: hint)) }
        }
        _ = try trainingTask
        _ = try badRowPolicy
        try require(epochs >= 1, "epochs", epochs, "must be at least 1")
        try require((maxSteps ?? 1) >= 1, "max-steps", maxSteps ?? 0, "must be at least 1")
        try require(
            resolvedLearningRate > 0 && resolvedLearningRate.isFinite, "lr", resolvedLearningRate, "must be positive")
        try require(batchSize >= 1, "batch-size", batchSize, "must be at least 1")
        try require(gradientAccumulation >= 1, "grad-accum", gradientAccumulation, "must be at least 1")
        try require(warmup >= 0, "warmup", warmup, "must be 0 or more steps")
        // `>= 0` alone lets infinity through (and `inf` parses as a number): an infinite weight decay or
        // clipping threshold trains to NaN, so each must be finite too.
        try require(
            weightDecay >= 0 && weightDecay.isFinite, "weight-decay", weightDecay, "must be a finite number, 0 or more")
        try require(clip >= 0 && clip.isFinite, "clip", clip, "must be 0 (off) or a finite positive number")
        try require((evalEvery ?? 1) >= 1, "eval-every", evalEvery ?? 0, "must be at least 1 step")
        try require((saveEvery ?? 1) >= 1, "save-every", saveEvery ?? 0, "must be at least 1 step")
        try require(
            (earlyStoppingPatience ?? 1) >= 1, "early-stopping-patience", earlyStoppingPatience ?? 0,
            "must be at least 1")
        try require(
            earlyStoppingPatience == nil || dev != nil, "early-stopping-patience", earlyStoppingPatience ?? 0,
            "needs --dev")
        try require((maxLength ?? 2) >= 2, "max-length", maxLength ?? 0, "must be at least 2 tokens")
        try require((maxDevExamples ?? 1) >= 1, "max-dev-examples", maxDevExamples ?? 0, "must be at least 1")
        try require(maxDevExamples == nil || dev != nil, "max-dev-examples", maxDevExamples ?? 0, "needs --dev")
        try require((0..<1).contains(dropout ?? 0), "dropout", dropout ?? 0, "must be in [0, 1)")
        try require(!out.isEmpty, "out", out, "give an output folder")
        if let devMetrics {
            try require(dev != nil, "eval-metrics", devMetrics.metrics.joined(separator: ","), "needs --dev")
            try devMetrics.validate()
        }
    }

    /// Checks what needs the run's length in optimizer steps (known once the data is loaded).
    func validate(totalSteps: Int) throws {
        guard warmup == 0 || warmup < totalSteps else {
            throw LNTuneError.training(
                .invalidSetting(
                    name: "warmup", value: String(warmup),
                    hint: "the run has \(totalSteps) optimizer steps; the warm-up must end before the last one,"
                        + " or the learning rate never reaches --lr"))
        }
    }

    /// The tuner's options for a run of `totalSteps` optimizer steps.
    public func tunerOptions(totalSteps: Int) -> TunerOptions {
        TunerOptions(
            optimizer: OptimizerOptions(weightDecay: weightDecay),
            schedule: LearningRateSchedule(
                peak: resolvedLearningRate, shape: schedule, warmupSteps: warmup, totalSteps: totalSteps),
            maxGradientNorm: clip, seed: seed, dropout: dropout ?? 0)
    }
}
