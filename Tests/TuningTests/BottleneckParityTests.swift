import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// Bottleneck adapters and MAM as AdapterHub's `adapters` 1.3.0 computes them on the tiny model
/// (eval/reference/make_bottleneck_fixtures.py): its saved folders, logits, gradients and AdamW steps.
struct BottleneckFixture: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        let batch: FixtureBatch
        let loss: Double, grad_norm: Float
        let after: [String: [Float]]
    }
    struct Case: Decodable, Sendable {
        let folder: String
        let logits: [Float]
        let gradients: [String: [Float]]
        let steps: [Step]
        let greedy: [[Int]], beam3: [[Int]]
        let trainable: Int, all: Int
    }
    struct Batch: Decodable, Sendable {
        let batch_size: Int, length: Int
        let tokens: [Int32], mask: [UInt8]
        var tokenBatch: TokenBatch {
            get throws { try TokenBatch(tokens: tokens, mask: mask, batchSize: batch_size, length: length) }
        }
    }
    let adapter_name: String
    let logits_batch: Batch
    let prompts: [[Int]]
    let eos_token_id: Int
    let max_new_tokens: Int
    let cases: [String: Case]

    static let table = FixtureTable<BottleneckFixture>("bottleneck/expected.json")
    static let caseNames = ["seq_bn", "seq_bn_r4_gelu", "double_seq_bn", "par_bn", "mam", "par_bn_attn_tanh"]

    /// The tuner's segment name of a tensor named as AdapterHub's file names it.
    static func segmentName(_ key: String, adapter name: String) -> String {
        let pool = "transformer.prefix_tuning.prefix_tunings.\(name).self_prefix."
        guard key.hasPrefix(pool) else { return key.replacingOccurrences(of: ".adapters.\(name).", with: ".") }
        let suffix = String(key.dropFirst(pool.count))
        return "prompt_encoder."
            + (suffix == "wte.weight"
                ? "embedding.weight" : suffix.replacingOccurrences(of: "control_trans.", with: "transform."))
    }
}

/// A tuner for the adapter in the fixture folder `folder`, starting from the folder's values.
func bottleneckTuner(_ folder: String, options: TunerOptions? = nil) throws -> (Tuner, Adapter) {
    let model = try Tiny.model()
    let adapter = try AdapterFiles.read(from: Fixtures.url("bottleneck/" + folder), modelConfig: model.config)
    let tuner = try Tuner(
        model: model, method: adapter.configuration.method,
        options: options
            ?? TunerOptions(
                optimizer: OptimizerOptions(weightDecay: 0.01),
                schedule: LearningRateSchedule(peak: 1e-2, shape: .constant, totalSteps: 2)))
    let module = try #require(tuner.extensionModule)
    let saved = try #require(adapter.extensionModule)
    module.values.base.update(from: saved.values.base, count: saved.values.count)
    if let prefix = tuner.prefix {
        let encoder = try #require(adapter.prefixEncoder)
        prefix.values.base.update(from: encoder.values.base, count: encoder.values.count)
    }
    return (tuner, adapter)
}

/// AdapterHub's folders read back as what AdapterHub loads: the logits of a right-padded batch equal its own
/// within 1e-4 of their scale at every real position (a padding query attends differently: nothing reads it),
/// and the trainable and total counts equal what its model reports.
@Test(arguments: try BottleneckFixture.table.cases(count: 6) { Array($0.cases.keys).sorted() })
func adapterHubLogits(_ name: String) throws {
    let f = try BottleneckFixture.table.value()
    let c = try #require(f.cases[name])
    let (tuner, adapter) = try bottleneckTuner(c.folder)
    let model = try adapter.model(on: try Tiny.model())
    let got = try model.logits(try f.logits_batch.tokenBatch, prefix: adapter.prefix).values
    let v = got.count / f.logits_batch.mask.count
    let real = f.logits_batch.mask.indices.filter { f.logits_batch.mask[$0] != 0 }
    func rows(_ values: [Float]) -> [Float] { real.flatMap { values[($0 * v)..<($0 * v + v)] } }
    let error = scaledError(rows(got), rows(c.logits))
    #expect(error <= 1e-4, "\(name): scaled error \(error)")
    #expect(bits(try tuner.logits(try f.logits_batch.tokenBatch).values) == bits(got), "\(name): tuner vs loaded")
    #expect(tuner.report.trainable == c.trainable && tuner.report.all == c.all, "\(name): \(tuner.report)")
}

/// The token-mean loss of a labelled batch and its gradient for every adapter tensor (MAM's prefix MLP
/// included) equal AdapterHub's autograd within 1e-4 of each tensor's scale.
@Test(arguments: try BottleneckFixture.table.cases(count: 6) { Array($0.cases.keys).sorted() })
func adapterHubGradients(_ name: String) throws {
    let f = try BottleneckFixture.table.value()
    let c = try #require(f.cases[name])
    let (tuner, _) = try bottleneckTuner(c.folder)
    let batch = try c.steps[0].batch.training
    let module = try #require(tuner.extensionModule)
    let moduleGradients = FloatBuffer(count: module.parameterCount)
    let slots = tuner.prefixSlots()
    let slotGradients = slots.map { PrefixSlots(config: tuner.model.config, length: $0.length, shiftsPositions: false) }
    let result = try tuner.model.lossAndGradients(
        batch.tokens, labels: batch.labels, prefix: slots, request: tuner.selection.gradientRequest,
        gradients: GPT2Parameters(config: tuner.model.config), prefixGradients: slotGradients,
        extensionGradients: moduleGradients.buffer)
    #expect(abs(result.loss - c.steps[0].loss) <= 1e-5 * c.steps[0].loss, "\(name): loss \(result.loss)")
    var got: [String: [Float]] = [:]
    for t in module.tensors { got[t.name] = Array(moduleGradients.buffer[t.range]) }
    if let prefix = tuner.prefix, let slotGradients {
        let encoderGradients = FloatBuffer(count: prefix.count)
        prefix.backward(slotGradients: slotGradients, into: encoderGradients)
        for t in prefix.tensors { got["prompt_encoder." + t.name] = Array(encoderGradients.buffer[t.range]) }
    }
    #expect(got.count == c.gradients.count)
    for (key, want) in c.gradients {
        let segment = BottleneckFixture.segmentName(key, adapter: f.adapter_name)
        let error = scaledError(try #require(got[segment], "\(segment)"), want)
        #expect(error <= 1e-4, "\(name): \(segment) scaled error \(error)")
    }
}

/// Two AdamW steps (HF Trainer's decay groups, clipping at 1, constant rate) reproduce AdapterHub's training:
/// the loss, the norm before clipping, and every adapter value after each step within 1e-4 of its scale.
@Test(arguments: try BottleneckFixture.table.cases(count: 6) { Array($0.cases.keys).sorted() })
func adapterHubTrainingSteps(_ name: String) throws {
    let f = try BottleneckFixture.table.value()
    let c = try #require(f.cases[name])
    let (tuner, _) = try bottleneckTuner(c.folder)
    #expect(
        Set(tuner.segments.map(\.name))
            == Set(c.gradients.keys.map { BottleneckFixture.segmentName($0, adapter: f.adapter_name) }))
    for (i, step) in c.steps.enumerated() {
        let result = try tuner.step(batches: [try step.batch.training])
        #expect(abs(result.loss - step.loss) <= 1e-5 * step.loss, "\(name) step \(i): loss \(result.loss)")
        #expect(abs(result.gradientNorm - step.grad_norm) <= 1e-4 * step.grad_norm, "\(name) step \(i): norm")
        for (key, want) in step.after {
            let segmentName = BottleneckFixture.segmentName(key, adapter: f.adapter_name)
            let segment = try #require(tuner.segments.first { $0.name == segmentName })
            let error = scaledError(Array(segment.valueBuffer), want)
            #expect(error <= 1e-4, "\(name) step \(i): \(segmentName) scaled error \(error)")
        }
    }
}

/// The trainable-parameter line of every bottleneck method (and its `+ln`) on GPT-2 small and medium shapes
/// equals what AdapterHub's model reports for the same config (`counts.json`: trainable, and all parameters
/// with the tied head once).
@Test func trainableCountsMatchAdapterHub() throws {
    let counts = try Fixtures.json([String: [String: [String: Int]]].self, "bottleneck/counts.json")
    let shapes = [
        "gpt2": GPT2Config(vocabSize: 50257, nPositions: 1024, nEmbd: 768, nLayer: 12, nHead: 12),
        "gpt2-medium": GPT2Config(vocabSize: 50257, nPositions: 1024, nEmbd: 1024, nLayer: 24, nHead: 16),
    ]
    #expect(counts.keys.sorted() == shapes.keys.sorted())
    for (model, config) in shapes {
        let table = try #require(counts[model])
        #expect(table.count == 8)
        for (name, want) in table {
            let method = try TuningMethods.defaults(named: name).method
            let report = ParameterReport(selection: method.selection(for: ParameterLayout(config: config)))
            #expect(report.trainable == want["trainable"] && report.all == want["all"], "\(model) \(name): \(report)")
        }
    }
}
