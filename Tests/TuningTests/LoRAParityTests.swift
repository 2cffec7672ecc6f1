import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// PEFT's LoRA on the tiny model (eval/reference/make_lora_fixtures.py, Tests/Fixtures/lora/from-peft): one
/// right-padded batch; logits at its real positions, loss and LoRA gradients with each PEFT-written adapter.
struct LoRAExpected: Decodable, Sendable {
    struct Generate: Decodable, Sendable {
        let num_beams: Int
        let expected: [[Int]]
    }
    struct Case: Decodable, Sendable {
        let logits: [Float]
        let loss: Double
        let gradients: [String: [Float]]
        let generate: [String: Generate]
    }
    let batch: FixtureBatch
    let logit_positions: [Int]
    let base: [Float]
    let prompts: [[Int]]
    let max_new_tokens: Int
    let eos_token_id: Int
    let adapters: [String: Case]

    static let table = FixtureTable<LoRAExpected>("lora/from-peft/expected.json")
}

/// Reads a PEFT-written LoRA fixture folder.
func peftLoRA(_ name: String) throws -> Adapter {
    try AdapterFiles.read(from: Fixtures.url("lora/from-peft/\(name)"), modelConfig: Tiny.config)
}

/// A PEFT LoRA adapter (c_attn, r 4, alpha 8; and every block Linear, r 2, alpha 5 — scaling 2.5) loads with
/// PEFT's options and gives PEFT's logits, loss and A/B gradients within 1e-4 of each tensor's scale (the
/// loss within 1e-5 of itself), and changes the model.
@Test(arguments: try LoRAExpected.table.cases(count: 2) { $0.adapters.keys.sorted() })
func peftLoRAGivesPEFTLogitsLossAndGradients(_ name: String) throws {
    let f = try LoRAExpected.table.value()
    let want = try #require(f.adapters[name])
    let adapter = try peftLoRA(name)
    let options = try #require((adapter.configuration.method as? LoRATuning)?.options)
    #expect(
        options
            == (name == "lora"
                ? LoRAOptions(rank: 4, alpha: 8, targets: .names(["c_attn"]))
                : LoRAOptions(rank: 2, alpha: 5, dropout: 0.1, targets: .names(["c_attn", "c_fc", "c_proj"]))))
    let model = try adapter.model(on: Tiny.model())
    let batch = try f.batch.training
    let logits = try model.logits(batch.tokens, rows: .positions(f.logit_positions)).values
    #expect(scaledError(logits, want.logits) <= 1e-4, "\(name) logits: \(scaledError(logits, want.logits))")
    #expect(maxAbsDifference(logits, f.base) > 1e-3, "\(name) does not change the model")

    let module = try #require(adapter.extensionModule)
    var gradients = [Float](repeating: 0, count: module.parameterCount)
    let result = try gradients.withUnsafeMutableBufferPointer { g in
        try model.lossAndGradients(
            batch.tokens, labels: batch.labels, request: GradientRequest(extensionParameters: true),
            gradients: GPT2Parameters(config: model.config), extensionGradients: g)
    }
    #expect(abs(result.loss - want.loss) <= 1e-5 * want.loss, "\(name) loss \(result.loss) vs \(want.loss)")
    #expect(Set(module.tensors.map(\.name)) == Set(want.gradients.keys))
    for t in module.tensors {
        let error = scaledError(Array(gradients[t.range]), try #require(want.gradients[t.name]))
        #expect(error <= 1e-4, "\(name) \(t.name): scaled error \(error)")
    }
}

/// Whole training steps of PEFT LoRA in PyTorch (make_lora_fixtures.py, lora/training.json): two AdamW steps
/// with HF Trainer's decay groups, clipping and a linear schedule, each over two micro-batches — for `lora` and
/// for `lora+ln` on every block Linear (LayerNorms trained beside it). Loss, gradient norm, learning rate and
/// every trained value after each step within 1e-4 of scale, as the other methods' training parity.
private let loraTraining = FixtureTable<[TrainingCase]>("lora/training.json")

@Test(arguments: try loraTraining.cases(count: 2) { $0.map(\.name) })
func loraTrainingStepsMatchPyTorch(_ name: String) throws {
    try checkTrainingSteps(try #require(try loraTraining.value().first { $0.name == name }))
}

/// PEFT's `print_trainable_parameters()` for LoRA on GPT-2 small and medium (lora/parameter-counts.json, from
/// config-only models): the defaults (c_attn) and every block Linear, alone and with LN-Tuning — LNTune's
/// trainable-parameter line gives the same two numbers.
private struct CountCase: Decodable, Sendable {
    let targets: [String]
    let ln: Bool
    let trainable: Int
    let all: Int
}

private let countTable = FixtureTable<[String: CountCase]>("lora/parameter-counts.json")

@Test(arguments: try countTable.cases(count: 8) { $0.keys.sorted() })
func loraParameterCountsArePEFTs(_ key: String) throws {
    let c = try #require(try countTable.value()[key])
    let config =
        key.hasPrefix("medium")
        ? GPT2Config(vocabSize: 50257, nPositions: 1024, nEmbd: 1024, nLayer: 24, nHead: 16)
        : GPT2Config(vocabSize: 50257, nPositions: 1024, nEmbd: 768, nLayer: 12, nHead: 12)
    let lora = LoRAOptions(targets: .names(c.targets))
    let method = c.ln ? TuningConfiguration.loraLN(lora: lora).method : LoRATuning(options: lora)
    let report = ParameterReport(selection: method.selection(for: ParameterLayout(config: config)))
    #expect(report == ParameterReport(trainable: c.trainable, all: c.all), "\(key): \(report)")
}

/// `lntune merge`'s fold, W += scaling·(B·A)ᵀ in the Conv1D layout, gives the logits of the unmerged adapter
/// within 1e-5 of their scale, with no module left to run.
@Test(arguments: ["lora", "lora-all"])
func mergedLoRAIsTheAdapter(_ name: String) throws {
    let f = try LoRAExpected.table.value()
    let adapter = try peftLoRA(name)
    let batch = try f.batch.training.tokens
    let want = try adapter.model(on: Tiny.model()).logits(batch).values
    let merged = try Tiny.checkpoint()
    try adapter.merge(into: merged.parameters)
    let got = try GPT2Model(checkpoint: merged).logits(batch).values
    #expect(scaledError(got, want) <= 1e-5, "\(name): \(scaledError(got, want))")
}
