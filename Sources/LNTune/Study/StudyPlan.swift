import Foundation
import GPT2
import Tuning

/// One run of a study: a configuration (a method, or an ablation variant of it) with one seed, and the
/// training settings that make it.
public struct StudyRunPlan: Sendable, Equatable {
    /// The table row it belongs to: `ln`, `prefix+ln`, `ln [gain]`, `ln [layers 6-11]`.
    public var configuration: String
    public var method: String
    /// The ablation variant, nil for the whole method.
    public var variant: String?
    public var seed: UInt64
    /// The run's folder under `OUT/runs/`: `ln-seed1`, `ln-gain-seed1`, `ln-layers6-11-seed2`.
    public var folderName: String
    public var training: TrainingSettings
}

/// The runs of a study in the order they execute: seed by seed, every configuration in each, so an
/// interrupted study already compares every method.
public struct StudyPlan: Sendable {
    public let settings: StudySettings
    public let runs: [StudyRunPlan]

    /// Table rows in plan order.
    public var configurations: [String] {
        var seen = Set<String>()
        return runs.map(\.configuration).filter { seen.insert($0).inserted }
    }

    public var runsFolder: URL { URL(fileURLWithPath: settings.out).appendingPathComponent("runs", isDirectory: true) }

    /// Checks the settings and expands methods × ablation variants × seeds. The model's config is read (not its
    /// weights) for the number of layers a `layers` ablation halves.
    public init(settings: StudySettings) throws {
        try settings.validate()
        self.settings = settings
        var variants: [(method: String, variant: String?, arguments: [String])] = []
        let layers = try settings.ablation == .layers ? Self.layerCount(settings.model) : 0
        for method in settings.methods {
            variants.append((method, nil, []))
            guard let ablation = settings.ablation, Self.trainsLayerNorms(method) else { continue }
            for variant in ablation.variants(layers: layers) {
                variants.append((method, variant.label, variant.arguments))
            }
        }
        var runs: [StudyRunPlan] = []
        let folder = URL(fileURLWithPath: settings.out).appendingPathComponent("runs", isDirectory: true)
        for seed in settings.seeds {
            for (method, variant, arguments) in variants {
                let configuration = variant.map { "\(method) [\($0)]" } ?? method
                let name =
                    ([method] + (variant.map { [$0.replacingOccurrences(of: " ", with: "")] } ?? []) + ["seed\(seed)"])
                    .joined(separator: "-")
                let training = TrainingSettings(
                    model: settings.model, tokenizer: settings.tokenizer, task: settings.task, train: settings.train,
                    dev: settings.dev, method: try TuningMethods.configuration(named: method, arguments: arguments),
                    epochs: settings.epochs, maxSteps: settings.maxSteps,
                    learningRate: settings.learningRate(for: method),
                    batchSize: settings.batchSize, seed: seed, evalEvery: settings.evalEvery,
                    out: folder.appendingPathComponent(name).path, devMetrics: settings.devMetrics,
                    reportTo: .tensorboard)
                try training.validate()
                runs.append(
                    StudyRunPlan(
                        configuration: configuration, method: method, variant: variant, seed: seed, folderName: name,
                        training: training))
            }
        }
        self.runs = runs
    }

    /// Whether a registered method takes LN-Tuning's ablation options (`ln`, `prefix+ln`, any `NAME+ln`).
    static func trainsLayerNorms(_ method: String) -> Bool {
        (try? TuningMethods.configuration(named: method, arguments: ["--ln-terms", "gain,bias"])) != nil
    }

    static func layerCount(_ model: String) throws -> Int {
        let folder = try ModelResolver.resolve(model)
        return try GPT2Config.load(contentsOf: folder.appendingPathComponent("config.json")).nLayer
    }
}
