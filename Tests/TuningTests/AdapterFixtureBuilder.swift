import Foundation
import GPT2
import TestSupport
import Tuning

/// The adapters LNTune writes for the PEFT round trip (Tests/Fixtures/adapters/from-lntune/): each method
/// trained for three steps on fixed data, so every file holds values that visibly change the logits.
/// `eval/reference/make_adapter_fixtures.py` loads them with PEFT / transformers and records their logits.
enum AdapterFixtureBuilder {
    static let folder = Fixtures.url("adapters/from-lntune")

    /// Adapter folder name → method.
    static let methods: [(String, any TuningMethod)] = [
        ("ln", LNTuning()),
        ("ln-ablation", LNTuning(options: LNTuningOptions(terms: [.bias], modules: [.attn, .final], layers: 1...1))),
        ("prefix", PrefixTuning(options: .init(virtualTokens: 3, projection: .mlp(hidden: 16)))),
        ("prefix-direct", PrefixTuning(options: .init(virtualTokens: 2, projection: .direct))),
        ("prefix-ln", PrefixLNTuning(prefix: .init(virtualTokens: 3, projection: .mlp(hidden: 16)))),
        ("bitfit", BitFit()),
        ("full", FullFineTuning()),
    ]

    /// Folders holding a whole model made by merging an adapter into the base (name → adapter it merges).
    static let merged: [(String, String)] = [("merged-ln", "ln"), ("merged-bitfit", "bitfit")]

    static func train(_ method: any TuningMethod) throws -> Adapter {
        let options = TunerOptions(
            schedule: LearningRateSchedule(peak: method.kind == .full ? 1e-2 : 5e-2, shape: .constant, totalSteps: 10),
            seed: 7)
        let tuner = try Tuner(model: try Tiny.model(), method: method, options: options)
        for step in 0..<3 { try tuner.step(batches: [try randomBatch([9, 6, 7], seed: 500 + UInt64(step))]) }
        return tuner.adapter(baseModel: "Tests/Fixtures/tiny-gpt2")
    }

    /// Writes every adapter and merged model into `root`.
    static func write(to root: URL) throws {
        var adapters: [String: Adapter] = [:]
        for (name, method) in methods {
            let adapter = try train(method)
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
