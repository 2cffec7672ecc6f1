import ArgumentParser
import GPT2
import LNTune

/// `lntune bench train-step`: LN-Tuning training steps (forward, loss, LayerNorm-only backward, AdamW).
struct BenchTrainStepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step", abstract: "LN-Tuning training-step throughput on a random-weight GPT-2.")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        let model = try ModelBenchmark.randomModel(config: options.modelConfig)
        let r = try ModelBenchmark.trainStep(model: model, batch: options.batch, length: options.seq, repeats: options.repeats)
        options.report("train-step", r)
    }
}
