import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// A small configuration of every method for the tiny model.
func contractMethod(_ kind: TuningMethodKind, prefixLength: Int = 4) -> any TuningMethod {
    let prefix = PrefixTuningOptions(virtualTokens: prefixLength, projection: .mlp(hidden: 16))
    switch kind {
    case .ln: return LNTuning()
    case .prefix: return PrefixTuning(options: prefix)
    case .prefixLN: return PrefixLNTuning(prefix: prefix)
    case .bitfit: return BitFit()
    case .full: return FullFineTuning()
    }
}

func contractOptions(_ kind: TuningMethodKind) -> TunerOptions {
    TunerOptions(
        optimizer: OptimizerOptions(weightDecay: 0.01),
        schedule: LearningRateSchedule(peak: kind == .full ? 3e-3 : 2e-2, shape: .constant, totalSteps: 50))
}

/// Four training examples of the tiny model.
func fourExamples() throws -> TrainingBatch { try randomBatch([9, 7, 8, 5], seed: 77) }

/// Every method leaves every tensor outside its selection bit for bit as it was, and changes what it trains.
@Test(arguments: TuningMethodKind.allCases)
func frozenParametersStayBitIdentical(_ kind: TuningMethodKind) throws {
    let model = try Tiny.model()
    let before = model.parameters.copy()
    let tuner = try Tuner(model: model, method: contractMethod(kind), options: contractOptions(kind))
    for _ in 0..<3 { try tuner.step(batches: [try fourExamples()]) }
    let trained = Set(tuner.selection.tensors)
    for slot in model.parameters.layout.slots {
        let same = bits(model.parameters[slot.tensor]) == bits(before[slot.tensor])
        if trained.contains(slot.tensor) {
            #expect(!same, "\(kind): trainable \(slot.tensor.huggingFaceName) did not change")
        } else {
            #expect(same, "\(kind): frozen \(slot.tensor.huggingFaceName) changed")
        }
    }
}

/// A few steps on four examples lower their loss for every method.
@Test(arguments: TuningMethodKind.allCases)
func fewStepsLowerTheLoss(_ kind: TuningMethodKind) throws {
    let tuner = try Tuner(model: try Tiny.model(), method: contractMethod(kind), options: contractOptions(kind))
    let batch = try fourExamples()
    let before = try tuner.loss(batch).loss
    var last = 0.0
    for _ in 0..<8 { last = try tuner.step(batches: [batch]).loss }
    let after = try tuner.loss(batch).loss
    #expect(after < 0.9 * before, "\(kind): loss \(before) → \(after)")
    #expect(after < last, "\(kind): the last update did not lower the loss")
}

/// Saving a trained method's adapter and loading it onto a fresh base model gives the same logits, bit for bit.
@Test(arguments: TuningMethodKind.allCases)
func saveThenLoadGivesTheSameLogits(_ kind: TuningMethodKind) throws {
    let tuner = try Tuner(model: try Tiny.model(), method: contractMethod(kind), options: contractOptions(kind))
    for _ in 0..<2 { try tuner.step(batches: [try fourExamples()]) }
    let folder = try TemporaryFolder()
    try AdapterFiles.write(tuner.adapter(baseModel: "tiny-gpt2"), to: folder.url)
    let loaded = try AdapterFiles.read(from: folder.url, modelConfig: tuner.model.config)
    #expect(loaded.configuration == tuner.configuration)
    let base = try Tiny.model()
    try loaded.apply(to: base.parameters)
    let batch = try fourExamples().tokens
    let want = try tuner.logits(batch)
    let got = try base.logits(batch, prefix: loaded.prefix)
    #expect(bits(got.values) == bits(want.values), "\(kind): logits differ after save → load")
}

/// A prefix of length 0 is the base model: logits equal it bit for bit, even after training steps (the
/// encoder's weights change, but nothing reaches the model). Methods without a prefix start as the base model.
@Test(arguments: TuningMethodKind.allCases)
func emptyPrefixIsTheBaseModel(_ kind: TuningMethodKind) throws {
    let base = try Tiny.model()
    let batch = try fourExamples()
    let want = try base.logits(batch.tokens)
    let tuner = try Tuner(
        model: try Tiny.model(), method: contractMethod(kind, prefixLength: 0), options: contractOptions(kind))
    #expect(bits(try tuner.logits(batch.tokens).values) == bits(want.values), "\(kind) before training")
    if kind == .prefix {
        for _ in 0..<2 { try tuner.step(batches: [batch]) }
        #expect(tuner.prefixSlots()?.length == 0)
        #expect(bits(try tuner.logits(batch.tokens).values) == bits(want.values), "\(kind) after training")
    }
}
