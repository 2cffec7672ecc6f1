import ArgumentParser
import Benchmarks
import LNTune

/// `lntune bench train-step`: LN-Tuning training steps (forward, loss, LayerNorm-only backward, AdamW).
struct BenchTrainStepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step", abstract: "LN-Tuning training-step throughput on a random-weight GPT-2.")

    @OptionGroup var options: ModelBenchOptions

    func run() throws {
        try options.checkMemory(training: true)
        print(CPUInfo.current().header(json: options.json))
        notePrecision(options.precision)
        let model = try ModelBenchmark.randomModel(options.config.gpt2Config, precision: options.precision)
        let result = try ModelBenchmark.trainStep(
            model: model, batchSize: options.batchSize, seqLen: options.seqLen, repeats: options.repeats)
        print(options.report("train-step", result))
    }
}
