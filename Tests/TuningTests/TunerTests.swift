import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

private func options(
    _ optimizer: OptimizerOptions = OptimizerOptions(), lr: Double = 1e-2, clip: Float = 1,
    objective: TrainingObjective = TrainingObjective()
) -> TunerOptions {
    TunerOptions(
        optimizer: optimizer, schedule: LearningRateSchedule(peak: lr, shape: .constant, totalSteps: 100),
        maxGradientNorm: clip, objective: objective)
}

/// A method's selection is the model's gradient request: the same tensors, the same merged ranges.
@Test func selectionProducesTheModelsGradientRequest() {
    let config = GPT2Config.small
    let layout = ParameterLayout(config: config)
    #expect(LNTuning().selection(for: layout).gradientRequest == .layerNorms(config))
    #expect(FullFineTuning().selection(for: layout).gradientRequest == .all(config))
    #expect(PrefixTuning().selection(for: layout).gradientRequest == .prefixOnly)
    let both = TuningConfiguration.prefixLN().method.selection(for: layout).gradientRequest
    #expect(both.prefix && both.tensors == GradientRequest.layerNorms(config).tensors)
    for method in [LNTuning(), BitFit(), FullFineTuning()] as [any TuningMethod] {
        let selection = method.selection(for: layout)
        #expect(selection.ranges == selection.gradientRequest.ranges(in: layout))
        #expect(selection.ranges.reduce(0) { $0 + $1.count } == selection.baseParameterCount)
    }
}

/// Optimizer moments exist only for trainable values: LN-Tuning of GPT-2 small keeps 2 × 38,400 floats (not
/// 2 × 124 M), and a tuner on the tiny model keeps exactly its 320 LayerNorm values per moment.
@Test func momentsAreStoredForTrainableValuesOnly() throws {
    let small = LNTuning().selection(for: ParameterLayout(config: .small))
    let state = OptimizerState(options: OptimizerOptions(), trainableCount: small.baseParameterCount)
    #expect(state.firstMoment.count == 38_400 && state.secondMoment.count == 38_400)
    let tuner = try Tuner(model: try Tiny.model(), method: LNTuning(), options: options())
    #expect(tuner.trainableCount == 320)
    #expect(tuner.optimizer.firstMoment.count == 320 && tuner.optimizer.secondMoment.count == 320)
    let sgd = try Tuner(
        model: try Tiny.model(), method: LNTuning(), options: options(OptimizerOptions(algorithm: .sgd)))
    #expect(sgd.optimizer.firstMoment.count == 0 && sgd.optimizer.secondMoment.count == 0)
}

/// HF Trainer's weight-decay rule: LayerNorm weights and all biases are never decayed; embeddings, Linear
/// weights and the prefix encoder's embedding and Linear weights are.
@Test func weightDecayGroupsFollowHFTrainer() throws {
    let full = try Tuner(model: try Tiny.model(), method: FullFineTuning(), options: options())
    let decayed = Set(full.segments.filter(\.decays).map(\.name))
    let expected = Set(["transformer.wte.weight", "transformer.wpe.weight"]).union(
        (0..<2).flatMap { l in
            ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"].map {
                "transformer.h.\(l).\($0)"
            }
        })
    #expect(decayed == expected)
    let prefix = try Tuner(
        model: try Tiny.model(), method: PrefixTuning(options: .init(virtualTokens: 2, projection: .mlp(hidden: 8))),
        options: options())
    #expect(
        Set(prefix.segments.filter(\.decays).map(\.name))
            == [
                "prompt_encoder.embedding.weight", "prompt_encoder.transform.0.weight",
                "prompt_encoder.transform.2.weight",
            ])
}

/// Gradient accumulation over micro-batches equals one step on the concatenated batch (same update within
/// float rounding), for the token-mean and the per-sequence objective — so accumulation is exactly "a bigger
/// batch", whatever the token counts of the micro-batches.
@Test(arguments: TrainingObjective.Reduction.allCases)
func accumulationEqualsOneBigBatch(_ reduction: TrainingObjective.Reduction) throws {
    let objective = TrainingObjective(reduction: reduction)
    // SGD with lr 1 and no clipping: the update is minus the gradient.
    let o = options(OptimizerOptions(algorithm: .sgd), lr: 1, clip: 0, objective: objective)
    let method = TuningConfiguration.prefixLN(prefix: .init(virtualTokens: 2, projection: .mlp(hidden: 8))).method
    let rows: [[Int]] = [[6, 3], [7]]
    let micro = try rows.enumerated().map { try randomBatch($1, seed: UInt64($0) + 20) }
    var big: [[Int32]] = []
    var bigLabels: [[Int32]] = []
    for batch in micro {
        for b in 0..<batch.tokens.batchSize {
            let n = batch.tokens.length, row = b * n
            let real = (0..<n).filter { batch.tokens.mask[row + $0] != 0 }
            big.append(real.map { batch.tokens.tokens[row + $0] })
            bigLabels.append(real.map { batch.labels[row + $0] })
        }
    }
    let bigTokens = try TokenBatch(rows: big, padding: .right)
    let labels = bigLabels.flatMap { $0 + [Int32](repeating: -100, count: bigTokens.length - $0.count) }
    let a = try Tuner(model: try Tiny.model(), method: method, options: o)
    let b = try Tuner(model: try Tiny.model(), method: method, options: o)
    let ra = try a.step(batches: micro)
    let rb = try b.step(batches: [TrainingBatch(tokens: bigTokens, labels: labels)])
    #expect(ra.targetTokens == rb.targetTokens && ra.sequences == 3 && rb.sequences == 3)
    #expect(abs(ra.loss - rb.loss) <= 1e-6 * abs(rb.loss))
    for (sa, sb) in zip(a.segments, b.segments) {
        #expect(scaledError(Array(sa.valueBuffer), Array(sb.valueBuffer)) <= 1e-6, "\(sa.name)")
    }
}

/// A step rejects what it cannot train on with a typed error: no micro-batches, no target tokens, labels that
/// do not fit the batch (naming the micro-batch).
@Test func badStepsAreTypedErrors() throws {
    let tuner = try Tuner(model: try Tiny.model(), method: LNTuning(), options: options())
    #expect(throws: TuningError.self) { try tuner.step(batches: []) }
    var batch = try randomBatch([5, 4], seed: 1)
    batch.labels = batch.labels.map { _ in -100 }
    #expect(throws: TuningError.self) { try tuner.step(batches: [batch]) }
    batch.labels = [1, 2, 3]
    do {
        try tuner.step(batches: [try randomBatch([3], seed: 2), batch])
        Issue.record("labels of the wrong length were accepted")
    } catch {
        #expect("\(error)".contains("micro-batch 1"), "\(error)")
    }
    #expect(tuner.completedSteps == 0)
}

/// Bad options are refused before anything is allocated.
@Test func badTunerOptionsAreRejected() throws {
    let model = try Tiny.model()
    #expect(throws: TuningError.self) {
        try Tuner(model: model, method: LNTuning(), options: options(OptimizerOptions(beta1: 1)))
    }
    #expect(throws: TuningError.self) {
        try Tuner(
            model: model, method: LNTuning(), options: options(objective: TrainingObjective(labelSmoothing: -0.1)))
    }
    #expect(throws: TuningError.self) {
        try Tuner(model: model, method: LNTuning(options: .init(layers: 3...5)), options: options())
    }
}
