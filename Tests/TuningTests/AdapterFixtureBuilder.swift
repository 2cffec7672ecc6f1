import Foundation
import GPT2
import TestSupport
import Tuning

/// The adapters LNTune writes for the PEFT round trip (Tests/Fixtures/adapters/from-lntune/): each method's
/// trainable values moved away from the base by seeded noise (not by training: Adam's steps amplify the last
/// bits of near-zero gradients, so trained values would change with every kernel speedup, and the committed
/// files must stay what this code writes). `eval/reference/make_adapter_fixtures.py` loads them with PEFT /
/// transformers and records their logits.
enum AdapterFixtureBuilder {
    static let folder = Fixtures.url("adapters/from-lntune")

    /// Adapter folder name → method.
    static let methods: [(String, any TuningMethod)] = [
        ("ln", LNTuning()),
        ("ln-ablation", LNTuning(options: LNTuningOptions(terms: [.bias], modules: [.attn, .final], layers: 1...1))),
        ("prefix", PrefixTuning(options: .init(virtualTokens: 3, projection: .mlp(hidden: 16)))),
        ("prefix-direct", PrefixTuning(options: .init(virtualTokens: 2, projection: .direct))),
        (
            "prefix-ln",
            TuningConfiguration.prefixLN(prefix: .init(virtualTokens: 3, projection: .mlp(hidden: 16))).method
        ),
        ("bitfit", BitFit()),
        ("full", FullFineTuning()),
    ]

    /// Folders holding a whole model made by merging an adapter into the base (name → adapter it merges).
    static let merged: [(String, String)] = [("merged-ln", "ln"), ("merged-bitfit", "bitfit")]

    static func perturbed(_ method: any TuningMethod) throws -> Adapter {
        let options = TunerOptions(schedule: LearningRateSchedule(peak: 1e-3, totalSteps: 1), seed: 7)
        let tuner = try Tuner(model: try Tiny.model(), method: method, options: options)
        var random = TuningRandom(seed: 99)
        // The prefix encoder keeps its (seeded, PEFT-style) initialisation; base tensors move by N(0, σ).
        let sigma: Float = method.name == "full" ? 0.05 : 0.3
        for segment in tuner.segments where !segment.name.hasPrefix("prompt_encoder.") {
            for i in segment.valueBuffer.indices { segment.valueBuffer[i] += sigma * random.normal() }
        }
        return tuner.adapter(baseModel: "Tests/Fixtures/tiny-gpt2")
    }

    /// Writes every adapter and merged model into `root`.
    static func write(to root: URL) throws {
        var adapters: [String: Adapter] = [:]
        for (name, method) in methods {
            let adapter = try perturbed(method)
            adapters[name] = adapter
            try AdapterFiles.write(adapter, to: root.appendingPathComponent(name))
        }
        for (name, source) in merged {
            let base = try Tiny.checkpoint()
            try adapters[source]?.merge(into: base.parameters)
            try base.save(to: root.appendingPathComponent(name))
        }
    }
}
