import ArgumentParser
import Benchmarks
import Foundation
import LNTune

/// `lntune bench load`: how long loading (and optionally saving) a checkpoint takes.
struct BenchLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Time GPT2Checkpoint.load (best and median of N) and, with --save-to, GPT2Checkpoint.save.")

    @Option(help: .model) var model: String

    @Option(parsing: .unconditional, help: SharedBounds.repeats.help("How many loads to time."))
    var repeats = 5

    @Option(help: "Also time saving the loaded checkpoint into this folder (config.json + model.safetensors).")
    var saveTo: String?

    func validate() throws {
        try SharedBounds.repeats.check(repeats)
        try PathFlags.refuseEmpty([("--model", model), ("--save-to", saveTo)])
    }

    func run() throws {
        print(CPUInfo.current().header(json: false))
        let result = try LoadBenchmark.run(folder: try ModelResolver.resolve(model), repeats: repeats)
        print(result.text)
        if let saveTo, let checkpoint = result.checkpoint {
            print(
                try LoadBenchmark.save(
                    checkpoint, to: URL(fileURLWithPath: saveTo), weightsBytes: result.weightsBytes))
        }
    }
}
