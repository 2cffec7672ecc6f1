import Foundation

/// The TensorBoard scalars of a training log line, under the names Hugging Face's `Trainer` gives them
/// (`rewrite_logs`: `eval_` keys become `eval/…`, the rest `train/…`), so dashboards and scripts written for
/// transformers runs read LNTune runs unchanged:
///
/// | log line | scalars |
/// |---|---|
/// | step | `train/loss`, `train/learning_rate`, `train/grad_norm`, `train/epoch`, and `train/tokens_per_second` (LNTune's: the step's real tokens over its wall time) |
/// | eval | `eval/loss`, `eval/<metric>` for each `--eval-metrics` score (`eval/bleu`, `eval/rougeL`, …), `train/epoch` |
public enum TrainingScalars {
    public static func scalars(for entry: TrainingLogEntry, tokensPerSecond: Double? = nil) -> [(
        tag: String, value: Float
    )] {
        var out: [(tag: String, value: Float)] = []
        func add(_ tag: String, _ value: Double?) {
            if let value { out.append((tag, Float(value))) }
        }
        if entry.type == "eval" {
            add("eval/loss", entry.devLoss)
            for (name, value) in (entry.metrics ?? [:]).sorted(by: { $0.key < $1.key }) { add("eval/\(name)", value) }
        } else {
            add("train/loss", entry.loss)
            add("train/learning_rate", entry.learningRate)
            add("train/grad_norm", entry.gradientNorm.map(Double.init))
            add("train/tokens_per_second", tokensPerSecond)
        }
        add("train/epoch", entry.epoch)
        return out
    }
}

/// A run's TensorBoard log, `OUT/tensorboard/`: one event file per training session. A resumed session opens
/// a new file that starts with `SessionLog.START` at the first step it will train, so TensorBoard drops
/// whatever the interrupted session logged past the checkpoint — the same cut `train_log.jsonl` gets.
final class TensorBoardLog {
    let writer: TensorBoardWriter

    init(folder: URL, resumingAfterStep completed: Int) throws {
        writer = try TensorBoardWriter(folder: folder)
        if completed > 0 {
            try writer.write(
                TensorBoardEvent(
                    wallTime: Date().timeIntervalSince1970, step: completed + 1, content: .sessionStart))
        }
    }

    func append(_ entry: TrainingLogEntry, tokensPerSecond: Double? = nil) throws {
        let values = TrainingScalars.scalars(for: entry, tokensPerSecond: tokensPerSecond)
        guard !values.isEmpty else { return }
        try writer.write(
            TensorBoardEvent(wallTime: Date().timeIntervalSince1970, step: entry.step, content: .scalars(values)))
    }
}
