import Foundation
import ResourceUsage
import Tuning

/// What a run reports while it trains, in order: `started`, then `step`s with `evaluation`s and
/// `checkpoint`s among them; each evaluation is preceded by `evaluating` after each of its dev batches. The
/// trainer calls its observer synchronously between steps and batches.
public enum TrainingEvent: Sendable {
    case started(TrainingOverview)
    case step(StepReport)
    case evaluating(EvaluationProgress)
    case evaluation(EvaluationReport)
    case checkpoint(step: Int, file: String)
}

/// A dev evaluation under way: `batches` of `totalBatches` done.
public struct EvaluationProgress: Sendable {
    public var step: Int
    public var batches: Int
    public var totalBatches: Int
    /// Estimated seconds to the end of this evaluation.
    public var etaSeconds: Double
}

/// The run as planned, before the first step.
public struct TrainingOverview: Sendable {
    public var parameters: ParameterReport
    public var method: String
    public var modelFolder: String
    public var tokenizerFolder: String
    public var train: SplitCounts
    public var dev: SplitCounts?
    public var maxLength: Int
    public var learningRate: Double
    public var stepsPerEpoch: Int
    public var totalSteps: Int
    /// Steps already done (a resumed run), 0 for a new one.
    public var startStep: Int
}

/// How much of a data file became training sequences.
public struct SplitCounts: Sendable, Equatable, Codable {
    public var file: String
    public var examples: Int
    /// The examples in the file when `--max-dev-examples` kept fewer (nil otherwise).
    public var examplesInFile: Int?
    public var pairs: Int
    public var sequences: Int
    public var tokens: Int
    public var targetTokens: Int
    public var skippedRows: Int
    public var skippedTooLong: Int
    public var truncated: Int

    public init(_ split: EncodedSplit) {
        file = split.file
        examples = split.examples
        examplesInFile = split.examplesInFile
        pairs = split.pairs
        sequences = split.sequences.count
        tokens = split.tokens
        targetTokens = split.targetTokens
        skippedRows = split.skippedRows.count
        skippedTooLong = split.skippedTooLong.count
        truncated = split.truncated
    }

    enum CodingKeys: String, CodingKey {
        case file, examples, pairs, sequences, tokens
        case examplesInFile = "examples_in_file"
        case targetTokens = "target_tokens"
        case skippedRows = "skipped_rows"
        case skippedTooLong = "skipped_too_long"
        case truncated
    }
}

/// One optimizer step as the progress display shows it.
public struct StepReport: Sendable {
    public var step: Int
    public var totalSteps: Int
    /// Fractional epoch reached after this step.
    public var epoch: Double
    public var loss: Double
    public var learningRate: Double
    public var gradientNorm: Float
    /// Real (non-padding) tokens per second of training-step time, averaged over this session.
    public var tokensPerSecond: Double
    /// Target tokens (those the loss covers) per second, averaged over this session.
    public var targetTokensPerSecond: Double
    /// Estimated seconds to the last step at the session's average step time.
    public var etaSeconds: Double
}

/// One dev-loss evaluation.
public struct EvaluationReport: Sendable {
    public var step: Int
    public var epoch: Double
    public var devLoss: Double
    /// Whether this evaluation set a new best (and `best/` was written). Never true at step 0.
    public var isBest: Bool
    public var bestDevLoss: Double?
    public var bestStep: Int?
    /// Evaluations in a row without improvement, counted for `--early-stopping-patience`.
    public var sinceImprovement: Int
    /// `--eval-metrics` scores on the dev sample, by log key (`bleu`, `rougeL`, …).
    public var metrics: [String: Double] = [:]
    /// With `--metric-for-best-model`: its key and best value so far (`best/` is then chosen by it).
    public var bestMetricName: String? = nil
    public var bestMetric: Double? = nil
}

/// How a run ended.
public enum TrainingStatus: String, Codable, Sendable {
    case running
    case completed
    /// Stopped by `--early-stopping-patience`.
    case stoppedEarly = "stopped-early"
    /// Ctrl-C, SIGTERM or a stop request: a checkpoint was written, `--resume` continues.
    case interrupted
    /// A loss, gradient or value became NaN or infinite; nothing was saved from the diverged state.
    case diverged
    /// Stopped by an error (a file that could not be written, …); `error` says which, and the checkpoint, if
    /// one could be written, lets `--resume` continue.
    case failed
}

/// The result of `Trainer.run`, also recorded in `run.json`.
public struct TrainingSummary: Codable, Sendable {
    public var status: TrainingStatus
    public var completedSteps: Int
    public var totalSteps: Int
    /// Dev loss before the first step (with `--eval-at-start` on a new run).
    public var initialDevLoss: Double?
    public var lastDevLoss: Double?
    public var bestDevLoss: Double?
    public var bestStep: Int?
    public var lastTrainLoss: Double?
    /// Real tokens trained on in this session, and the tokens/s of its training steps.
    public var tokensTrained: Int
    public var tokensPerSecond: Double
    public var targetTokensPerSecond: Double
    /// Tokens the model computed, padding included (what kernel benchmarks at a fixed [B, T] count).
    public var paddedTokensPerSecond: Double
    public var times: PhaseTimes
    /// The adapter folders written (final/ after a completed or early-stopped run, best/ with a dev set).
    public var finalAdapter: String?
    public var bestAdapter: String?
    public var checkpoint: String?
    /// Why a `diverged` or `failed` run stopped.
    public var error: String?
    /// With `--metric-for-best-model`: the metric that chose `best/` and its value there (then `bestDevLoss`
    /// is the dev loss of that adapter, not necessarily the lowest one seen).
    public var bestMetricName: String? = nil
    public var bestMetric: Double? = nil
    /// The `--eval-metrics` scores of the last evaluation.
    public var lastMetrics: [String: Double]? = nil

    enum CodingKeys: String, CodingKey {
        case status, error
        case completedSteps = "completed_steps"
        case totalSteps = "total_steps"
        case initialDevLoss = "initial_dev_loss"
        case lastDevLoss = "last_dev_loss"
        case bestDevLoss = "best_dev_loss"
        case bestStep = "best_step"
        case lastTrainLoss = "last_train_loss"
        case tokensTrained = "tokens_trained"
        case tokensPerSecond = "tokens_per_second"
        case targetTokensPerSecond = "target_tokens_per_second"
        case paddedTokensPerSecond = "padded_tokens_per_second"
        case times
        case finalAdapter = "final_adapter"
        case bestAdapter = "best_adapter"
        case checkpoint
        case bestMetricName = "best_metric_name"
        case bestMetric = "best_metric"
        case lastMetrics = "last_metrics"
    }
}

/// Wall-clock seconds by phase, for the closing report: what the model costs (training steps, dev
/// evaluations) against everything around it.
public struct PhaseTimes: Codable, Sendable, Equatable {
    public var loadModel = 0.0
    public var loadTokenizer = 0.0
    /// Reading and parsing the data files.
    public var loadData = 0.0
    /// Tokenising every sequence through the template.
    public var tokenize = 0.0
    /// Hashing the data files for run.json.
    public var hashData = 0.0
    /// Planning, padding and converting batches during training.
    public var batching = 0.0
    /// Optimizer steps: forward, backward, clipping, update.
    public var trainSteps = 0.0
    /// Dev-loss evaluations (forward only).
    public var evaluation = 0.0
    /// Adapters, checkpoints, run.json and the log.
    public var saving = 0.0

    public init() {}

    /// Loading, tokenising, hashing and batching: the time spent outside the model.
    public var outsideModel: Double { loadModel + loadTokenizer + loadData + tokenize + hashData + batching }
    public var total: Double { outsideModel + trainSteps + evaluation + saving }

    enum CodingKeys: String, CodingKey {
        case loadModel = "load_model"
        case loadTokenizer = "load_tokenizer"
        case loadData = "load_data"
        case tokenize, batching
        case hashData = "hash_data"
        case trainSteps = "train_steps"
        case evaluation, saving
    }

    /// Runs `body` and adds its duration to the phase at `key`.
    public mutating func time<R>(_ key: WritableKeyPath<PhaseTimes, Double>, _ body: () throws -> R) rethrows -> R {
        let stopwatch = Stopwatch()
        defer { self[keyPath: key] += stopwatch.wallSeconds }
        return try body()
    }
}
