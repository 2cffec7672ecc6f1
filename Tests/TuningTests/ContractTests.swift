import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// A small configuration of every registered method for the tiny model: its defaults, with a short prefix
/// through a narrow MLP where it has a prefix. `prefixLength: 0` asks for the method's neutral configuration:
/// no prefix slots, and bottleneck adapters initialised as the identity (AdapterHub's `mam_adapter` init,
/// which zeroes the up-projection; its default `bert` init starts away from the base model).
func contractMethod(_ name: String, prefixLength: Int = 4) throws -> any TuningMethod {
    let prefix = PrefixTuningOptions(virtualTokens: prefixLength, projection: .mlp(hidden: 16))
    let withLN = name.hasSuffix("+ln")
    let base = withLN ? String(name.dropLast(3)) : name
    func neutral(_ options: BottleneckOptions) -> BottleneckOptions {
        var options = options
        if prefixLength == 0 { options.initialisation = .mamAdapter }
        return options
    }
    switch base {
    case "prefix":
        return withLN ? TuningConfiguration.prefixLN(prefix: prefix).method : PrefixTuning(options: prefix)
    case "mam":
        var mamPrefix = prefix
        mamPrefix.shiftsPositions = false
        return withLN
            ? TuningConfiguration.mamLN(prefix: mamPrefix).method : MAMTuning(prefix: mamPrefix)
    case let other:
        if let kind = BottleneckTuning.Kind(rawValue: other) {
            let options = neutral(kind.defaults)
            return withLN
                ? TuningConfiguration.bottleneckLN(kind, options: options).method
                : BottleneckTuning(kind, options: options)
        }
        return try TuningMethods.defaults(named: name).method
    }
}

func contractOptions(_ name: String) -> TunerOptions {
    TunerOptions(
        optimizer: OptimizerOptions(weightDecay: 0.01),
        schedule: LearningRateSchedule(peak: name == "full" ? 3e-3 : 2e-2, shape: .constant, totalSteps: 50))
}

/// Four training examples of the tiny model.
func fourExamples() throws -> TrainingBatch { try randomBatch([9, 7, 8, 5], seed: 77) }

/// Every method leaves every tensor outside its selection bit for bit as it was, and changes what it trains.
@Test(arguments: TuningMethods.names)
func frozenParametersStayBitIdentical(_ name: String) throws {
    let model = try Tiny.model()
    let before = model.parameters.copy()
    let tuner = try Tuner(model: model, method: try contractMethod(name), options: contractOptions(name))
    for _ in 0..<3 { try tuner.step(batches: [try fourExamples()]) }
    let trained = Set(tuner.selection.tensors)
    for slot in model.parameters.layout.slots {
        let same = bits(model.parameters[slot.tensor]) == bits(before[slot.tensor])
        if trained.contains(slot.tensor) {
            #expect(!same, "\(name): trainable \(slot.tensor.huggingFaceName) did not change")
        } else {
            #expect(same, "\(name): frozen \(slot.tensor.huggingFaceName) changed")
        }
    }
}

/// A few steps on four examples lower their loss for every method.
@Test(arguments: TuningMethods.names)
func fewStepsLowerTheLoss(_ name: String) throws {
    let tuner = try Tuner(model: try Tiny.model(), method: try contractMethod(name), options: contractOptions(name))
    let batch = try fourExamples()
    let before = try tuner.loss(batch).loss
    var last = 0.0
    for _ in 0..<8 { last = try tuner.step(batches: [batch]).loss }
    let after = try tuner.loss(batch).loss
    #expect(after < 0.9 * before, "\(name): loss \(before) → \(after)")
    #expect(after < last, "\(name): the last update did not lower the loss")
}

/// Saving a trained method's adapter and loading it onto a fresh base model gives the same logits, bit for bit.
@Test(arguments: TuningMethods.names)
func saveThenLoadGivesTheSameLogits(_ name: String) throws {
    let tuner = try Tuner(model: try Tiny.model(), method: try contractMethod(name), options: contractOptions(name))
    for _ in 0..<2 { try tuner.step(batches: [try fourExamples()]) }
    let folder = try TemporaryFolder()
    try AdapterFiles.write(tuner.adapter(baseModel: "tiny-gpt2"), to: folder.url)
    let loaded = try AdapterFiles.read(from: folder.url, modelConfig: tuner.model.config)
    #expect(loaded.configuration == tuner.configuration)
    let base = try loaded.model(on: Tiny.model())
    let batch = try fourExamples().tokens
    let want = try tuner.logits(batch)
    let got = try base.logits(batch, prefix: loaded.prefix)
    #expect(bits(got.values) == bits(want.values), "\(name): logits differ after save → load")
}

/// A prefix of length 0 is the base model: logits equal it bit for bit, even after training steps (the
/// encoder's weights change, but nothing reaches the model). Methods without a prefix start as the base model.
/// A module at a sub-layer hook point (bottleneck adapters) makes the model add the sub-layer's output through
/// a buffer of its own, which rounds the residual sum in another order: there "the base model" is within float
/// rounding (1e-6 of the logits' scale) rather than bit for bit.
@Test(arguments: TuningMethods.names)
func emptyPrefixIsTheBaseModel(_ name: String) throws {
    let base = try Tiny.model()
    let batch = try fourExamples()
    let want = try base.logits(batch.tokens)
    let tuner = try Tuner(
        model: try Tiny.model(), method: try contractMethod(name, prefixLength: 0), options: contractOptions(name))
    let got = try tuner.logits(batch.tokens).values
    if tuner.extensionModule?.hookSites.contains(where: { if case .beside = $0.point { false } else { true } }) == true
    {
        #expect(scaledError(got, want.values) <= 1e-6, "\(name) before training: \(scaledError(got, want.values))")
    } else {
        #expect(bits(got) == bits(want.values), "\(name) before training")
    }
    if name == "prefix" {
        for _ in 0..<2 { try tuner.step(batches: [batch]) }
        #expect(tuner.prefixSlots()?.length == 0)
        #expect(bits(try tuner.logits(batch.tokens).values) == bits(want.values), "\(name) after training")
    }
}
