import ArgumentParser
import LNTune

extension ReportDestination: ExpressibleByArgument {}

/// Dev metrics while training and where the logged scalars go (`lntune train`; transformers' names:
/// `--eval-metrics` is `compute_metrics` with `predict_with_generate`, the others are `TrainingArguments`).
struct EvaluationOptions: ParsableArguments {
    @Option(help: "Also write TensorBoard event files to OUT/tensorboard/ (tensorboard, the default), or not (none).")
    var reportTo: ReportDestination?

    @Option(
        help: ArgumentHelp(
            "At each dev evaluation, decode the dev sample and score it: comma-separated, from bleu,rouge,nist,cider,ter,chrf.",
            discussion: "Scores are logged as eval/bleu, eval/rougeL, … (train_log.jsonl, TensorBoard)."))
    var evalMetrics: String?

    @Option(help: "Pick best/ (and early stopping) by loss (default) or a score --eval-metrics logs (bleu, rougeL, …).")
    var metricForBestModel: String?

    @Option(
        parsing: .unconditional, help: "Dev examples decoded (greedy) for --eval-metrics: the first N of the dev file.")
    var evalSamples = 32

    @Option(parsing: .unconditional, help: "New tokens per dev example for --eval-metrics.")
    var evalMaxNewTokens = 64

    func validate() throws {
        if evalMetrics == nil, let metric = metricForBestModel, !["loss", "eval_loss"].contains(metric) {
            throw ValidationError("--metric-for-best-model \(metric) needs --eval-metrics naming it")
        }
    }

    /// The settings for `TrainingSettings.devMetrics` (nil without `--eval-metrics`).
    func devMetrics() -> DevMetricSettings? {
        evalMetrics.map {
            DevMetricSettings(
                metrics: $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) },
                metricForBestModel: metricForBestModel, samples: evalSamples, maxNewTokens: evalMaxNewTokens)
        }
    }
}
