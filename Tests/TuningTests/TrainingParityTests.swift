import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// Whole training steps in PyTorch on the tiny model (eval/reference/make_tuning_fixtures.py; LoRA's in
/// make_lora_fixtures.py).
struct TrainingCase: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        let micro_batches: [FixtureBatch]
        let loss: Double, grad_norm: Float, learning_rate: Double
        let target_tokens: Int, sequences: Int
        let after: [String: [Float]]
    }
    let name: String
    let method: TuningConfiguration
    let optimizer: OptimizerOptions
    let schedule: LearningRateSchedule
    let max_grad_norm: Float
    let objective: TrainingObjective
    let initial: [String: [Float]]
    let steps: [Step]

    static let table = FixtureTable<[TrainingCase]>("tuning/training.json")
}

/// Two optimizer steps, each over two micro-batches of unequal token counts, reproduce PyTorch: the loss,
/// the gradient norm before clipping, the learning rate, and every trainable value after each step within
/// 1e-4 of the tensor's scale. Cases: LN-Tuning with AdamW (weight decay on every value, clipping active;
/// HF Trainer's groups with the per-sequence objective and label smoothing), Prefix-Tuning through PEFT
/// (MLP with AdamW under HF groups and warmup; direct with SGD + momentum + decay), BitFit with plain SGD.
@Test(arguments: try TrainingCase.table.cases(count: 5) { $0.map(\.name) })
func trainingStepsMatchPyTorch(_ name: String) throws {
    try checkTrainingSteps(try #require(try TrainingCase.table.value().first { $0.name == name }))
}

/// Runs the case's steps with LNTune's tuner and compares every step with PyTorch's. Base tensors must start as
/// the checkpoint's; the method's own parameters (prefix encoder, LoRA matrices) take the fixture's values.
func checkTrainingSteps(_ f: TrainingCase) throws {
    let tuner = try Tuner(
        model: try Tiny.model(), method: f.method.method,
        options: TunerOptions(
            optimizer: f.optimizer, schedule: f.schedule, maxGradientNorm: f.max_grad_norm, objective: f.objective))
    #expect(Set(tuner.segments.map(\.name)) == Set(f.initial.keys))
    for (i, segment) in tuner.segments.enumerated() {
        let start = try #require(f.initial[segment.name])
        if i >= tuner.selection.tensors.count {
            _ = segment.valueBuffer.update(fromContentsOf: start)  // PEFT's random initialisation
        } else {
            #expect(bits(segment.valueBuffer) == bits(start), "\(segment.name) differs from the checkpoint")
        }
    }
    for (i, step) in f.steps.enumerated() {
        let result = try tuner.step(batches: step.micro_batches.map { try $0.training })
        #expect(result.step == i + 1)
        #expect(abs(result.loss - step.loss) <= 1e-5 * abs(step.loss), "step \(i): loss \(result.loss) vs \(step.loss)")
        #expect(
            abs(result.gradientNorm - step.grad_norm) <= 1e-4 * step.grad_norm,
            "step \(i): norm \(result.gradientNorm) vs \(step.grad_norm)")
        #expect(abs(result.learningRate - step.learning_rate) <= 1e-12, "step \(i): lr")
        #expect(result.targetTokens == step.target_tokens && result.sequences == step.sequences)
        for segment in tuner.segments {
            let want = try #require(step.after[segment.name])
            let error = scaledError(Array(segment.valueBuffer), want)
            #expect(error <= 1e-4, "step \(i): \(segment.name) scaled error \(error)")
        }
    }
}

/// The fixture is there with its five cases (the parameterised test also checks this before it runs).
@Test func trainingFixtureHasItsCases() throws {
    #expect(try TrainingCase.table.value().count == 5)
}
