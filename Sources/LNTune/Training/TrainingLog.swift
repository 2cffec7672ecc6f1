import Datasets
import Foundation

/// One line of `train_log.jsonl`: `{"type": "step", …}` for an optimizer step, `{"type": "eval", …}` for a
/// dev evaluation (with `metrics` when `--eval-metrics` generates on the dev sample). `lntune report` reads
/// the lines back; TensorBoard's scalars are made from them (`TrainingScalars`).
public struct TrainingLogEntry: Codable, Equatable, Sendable {
    public var type: String
    public var step: Int
    public var epoch: Double
    public var loss: Double?
    public var learningRate: Double?
    public var gradientNorm: Float?
    public var tokens: Int?
    public var targetTokens: Int?
    public var devLoss: Double?
    public var best: Bool?
    /// Generation metrics on the dev sample (`bleu`, `rougeL`, …), by the names `--metric-for-best-model` takes.
    public var metrics: [String: Double]?

    public init(
        type: String, step: Int, epoch: Double, loss: Double? = nil, learningRate: Double? = nil,
        gradientNorm: Float? = nil, tokens: Int? = nil, targetTokens: Int? = nil, devLoss: Double? = nil,
        best: Bool? = nil, metrics: [String: Double]? = nil
    ) {
        (self.type, self.step, self.epoch, self.loss, self.learningRate) = (type, step, epoch, loss, learningRate)
        (self.gradientNorm, self.tokens, self.targetTokens) = (gradientNorm, tokens, targetTokens)
        (self.devLoss, self.best, self.metrics) = (devLoss, best, metrics)
    }

    enum CodingKeys: String, CodingKey {
        case type, step, epoch, loss
        case learningRate = "lr"
        case gradientNorm = "grad_norm"
        case tokens
        case targetTokens = "target_tokens"
        case devLoss = "dev_loss"
        case best, metrics
    }
}

/// `train_log.jsonl`: one `TrainingLogEntry` per line, keys sorted. A checkpoint records the log's length, and
/// a resumed run cuts the log back to it, so the log of a resumed run reads like that of an uninterrupted one.
final class TrainingLog {
    typealias Entry = TrainingLogEntry

    let url: URL
    private let handle: FileHandle
    private let encoder: JSONEncoder
    /// On a resume, bytes the log lacked against the length the checkpoint recorded (it was cut or emptied
    /// since); they are not made up — extending the file would fill it with NUL bytes.
    private(set) var missingBytes: UInt64 = 0

    /// Opens the log for appending; with `truncatingTo`, first cuts it to that many bytes (a resume), else
    /// starts it empty.
    init(url: URL, truncatingTo length: UInt64?) throws {
        self.url = url
        if length == nil || !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw LNTuneError.io(path: url.path, reason: "cannot create the training log")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            let size = try handle.seekToEnd()
            let keep = min(length ?? 0, size)
            missingBytes = (length ?? 0) - keep
            try handle.truncate(atOffset: keep)
            try handle.seekToEnd()
        } catch {
            throw LNTuneError.io(
                path: url.path, reason: "cannot open the training log (\(error.localizedDescription))")
        }
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    }

    /// A log that keeps nothing (the ranks other than 0 of a data-parallel run): `url` only names it.
    init(discarding url: URL) {
        self.url = url
        handle = FileHandle.nullDevice
        encoder = JSONEncoder()
    }

    deinit { try? handle.close() }

    /// Bytes written so far (what a checkpoint records).
    var length: UInt64 { get throws { try handle.offset() } }

    func append(_ entry: Entry) throws {
        do {
            try handle.write(contentsOf: try encoder.encode(entry) + Data("\n".utf8))
        } catch {
            throw LNTuneError.io(path: url.path, reason: "cannot append to the training log (\(error))")
        }
    }

    /// Cuts the log back to `length` bytes (what an evaluation that failed half-way had appended).
    func cut(to length: UInt64) throws {
        do {
            try handle.truncate(atOffset: length)
            try handle.seekToEnd()
        } catch {
            throw LNTuneError.io(path: url.path, reason: "cannot cut the training log back (\(error))")
        }
    }

    /// Forces the log to disk (before a checkpoint that records its length).
    func synchronize() throws {
        do { try handle.synchronize() } catch {
            throw LNTuneError.io(path: url.path, reason: "cannot flush the training log (\(error))")
        }
    }
}

/// The trainer's part of a training checkpoint (JSON in the checkpoint's metadata): where the data stands
/// and what the evaluation bookkeeping was, so a resumed run makes the same decisions.
struct TrainerState: Codable, Equatable {
    var completedSteps: Int
    /// The cursor of the next step's first micro-batch (recomputable from the step; stored to check).
    var cursor: BatchCursor
    var bestDevLoss: Double?
    var bestStep: Int?
    var lastDevLoss: Double?
    var initialDevLoss: Double?
    var sinceImprovement: Int
    var logLength: UInt64
    /// The evaluation due after `completedSteps` has not finished (interrupted, or its adapter could not be
    /// written): a resumed run does it first. Nil (not written) otherwise, as in checkpoints from before.
    var pendingEvaluation: Bool?
    /// The `--metric-for-best-model` value of `best/` (nil when the dev loss chooses it).
    var bestMetric: Double? = nil
    var lastMetrics: [String: Double]? = nil

    enum CodingKeys: String, CodingKey {
        case pendingEvaluation = "pending_evaluation"
        case completedSteps = "completed_steps"
        case cursor
        case bestDevLoss = "best_dev_loss"
        case bestStep = "best_step"
        case lastDevLoss = "last_dev_loss"
        case initialDevLoss = "initial_dev_loss"
        case sinceImprovement = "since_improvement"
        case logLength = "log_length"
        case bestMetric = "best_metric"
        case lastMetrics = "last_metrics"
    }
}
