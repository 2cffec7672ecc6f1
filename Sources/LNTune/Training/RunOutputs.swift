import Collective
import Foundation

/// What a training session writes besides `train_log.jsonl` and the adapters: TensorBoard events
/// (`--report-to`), and the generation metrics of each evaluation (`--eval-metrics`), with the metric that
/// picks `best/`. Set up when `Trainer.run` starts, after the inputs have loaded.
struct RunOutputs {
    let tensorBoard: TensorBoardLog?
    let devMetrics: DevMetricEvaluator?
    let bestModelMetric: BestModelMetric?

    init(trainer: Trainer) throws {
        let settings = trainer.settings
        tensorBoard =
            settings.writesTensorBoard && trainer.processes.isRoot
            ? try TensorBoardLog(folder: trainer.folder.tensorBoard, resumingAfterStep: trainer.state.completedSteps)
            : nil
        devMetrics = try trainer.times.time(\.evaluation) {
            try DevMetricEvaluator(
                settings: settings, template: trainer.data.template, tokenizerFolder: trainer.tokenizerFolder,
                config: trainer.tuner.model.config)
        }
        bestModelMetric = try settings.devMetrics?.bestModelMetric
    }
}

extension Trainer {
    /// Appends `entry` to the log and, with `--report-to tensorboard`, its scalars to the event file.
    func append(_ entry: TrainingLogEntry, _ outputs: RunOutputs, tokensPerSecond: Double? = nil) throws {
        guard processes.isRoot else { return }
        try log.append(entry)
        try outputs.tensorBoard?.append(entry, tokensPerSecond: tokensPerSecond)
    }

    /// The `--eval-metrics` scores of the model as it is now (nil without them); their time counts as
    /// evaluation.
    func devMetricScores(_ outputs: RunOutputs) throws -> [String: Double]? {
        guard let devMetrics = outputs.devMetrics else { return nil }
        // With several processes rank 0 scores and shares the scores (every rank decides on best and stopping).
        return try processes.fromRoot { try times.time(\.evaluation) { try devMetrics.scores(tuner) } }
    }
}
