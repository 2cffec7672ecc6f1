import Foundation
import Metrics

/// `--eval-metrics` and the options around it, as `run.json` records them: at each dev evaluation the model
/// decodes (greedy) the first `samples` dev examples and the named metrics score the outputs against the
/// examples' references; `--metric-for-best-model` then picks `best/` by one of them instead of the dev loss,
/// as transformers' `Seq2SeqTrainer` with `predict_with_generate` does.
public struct DevMetricSettings: Codable, Equatable, Sendable {
    /// Metric names as `lntune score --metrics` takes them (`bleu`, `rouge`, …).
    public var metrics: [String]
    /// What picks `best/` and drives early stopping: `loss` (the default) or a key these metrics log
    /// (`bleu`, `rougeL`, …; transformers' `eval_` prefix is accepted and dropped).
    public var metricForBestModel: String?
    /// Dev examples decoded at each evaluation (the first ones of the file).
    public var samples: Int
    public var maxNewTokens: Int

    public init(metrics: [String], metricForBestModel: String? = nil, samples: Int = 32, maxNewTokens: Int = 64) {
        self.metrics = metrics
        self.metricForBestModel = metricForBestModel
        self.samples = samples
        self.maxNewTokens = maxNewTokens
    }

    /// The parsed metrics.
    public var metricNames: [MetricName] {
        get throws {
            do {
                return try MetricName.parseList(metrics.joined(separator: ","))
            } catch {
                throw LNTuneError.training(
                    .invalidSetting(name: "eval-metrics", value: metrics.joined(separator: ","), hint: "\(error)"))
            }
        }
    }

    /// The log keys a metric's scores are recorded under (`eval/<key>` in TensorBoard).
    public static func keys(of metric: MetricName) -> [String] {
        switch metric {
        case .rouge: return Rouge.Kind.standard.map(\.description)
        default: return [metric.rawValue]
        }
    }

    /// The key of one score of `Scorer`'s report (`BLEU` → `bleu`, `rougeL` stays, `chrF2` → `chrf`).
    static func key(ofScore name: String) -> String {
        if name.hasPrefix("rouge") { return name }
        if name.hasPrefix("chrF") {
            return name.hasSuffix("++") ? MetricName.chrfPlusPlus.rawValue : MetricName.chrf.rawValue
        }
        return name.lowercased()
    }

    /// The metric that picks `best/`; nil = the dev loss.
    public var bestModelMetric: BestModelMetric? {
        get throws {
            guard var name = metricForBestModel else { return nil }
            if name.hasPrefix("eval_") { name = String(name.dropFirst(5)) }
            if name == "loss" { return nil }
            let available = try metricNames.flatMap(Self.keys)
            guard available.contains(name) else {
                throw LNTuneError.training(
                    .invalidSetting(
                        name: "metric-for-best-model", value: metricForBestModel ?? "",
                        hint: "loss, or one of the scores --eval-metrics logs: " + available.joined(separator: ", ")))
            }
            return BestModelMetric(key: name)
        }
    }

    func validate() throws {
        guard !metrics.isEmpty else {
            throw LNTuneError.training(
                .invalidSetting(name: "eval-metrics", value: "", hint: "name at least one metric"))
        }
        _ = try bestModelMetric
        guard samples >= 1 else {
            throw LNTuneError.training(
                .invalidSetting(name: "eval-samples", value: String(samples), hint: "must be at least 1"))
        }
        guard maxNewTokens >= 1 else {
            throw LNTuneError.training(
                .invalidSetting(name: "eval-max-new-tokens", value: String(maxNewTokens), hint: "must be at least 1"))
        }
    }
}

/// The score `best/` is chosen by, and which way is better (transformers' `greater_is_better`: true for
/// every metric but TER, an error rate).
public struct BestModelMetric: Equatable, Sendable {
    public let key: String
    public var greaterIsBetter: Bool { key != MetricName.ter.rawValue }

    public init(key: String) { self.key = key }

    /// Whether `value` beats `best` (nil: nothing yet). A score that is not finite never does.
    public func improves(_ value: Double, on best: Double?) -> Bool {
        guard value.isFinite else { return false }
        guard let best else { return true }
        return greaterIsBetter ? value > best : value < best
    }
}

/// Where `lntune train --report-to` sends the logged scalars besides `train_log.jsonl`.
public enum ReportDestination: String, Codable, CaseIterable, Sendable {
    /// `OUT/tensorboard/events.out.tfevents.*` (the default).
    case tensorboard
    case none
}
