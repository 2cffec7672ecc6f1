import ArgumentParser
import Foundation
import GPT2
import LNTune

/// `lntune bench load`: how long loading (and optionally saving) a checkpoint takes.
struct BenchLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Time GPT2Checkpoint.load (best and median of N) and, with --save-to, GPT2Checkpoint.save.")

    @Option(help: "A model folder or a cached hub name.")
    var model: String

    @Option(help: "How many loads to time.")
    var `repeat` = 5

    @Option(help: "Also time saving the loaded checkpoint into this folder (config.json + model.safetensors).")
    var saveTo: String?

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        let folder = try ModelResolver.resolve(model)
        let weights = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw ValidationError("\(folder.path) has no model.safetensors (sharded checkpoints are not benchmarked)")
        }
        let bytes =
            (try? FileManager.default.attributesOfItem(atPath: weights.path)[.size] as? NSNumber)??.doubleValue ?? 0
        print("model: \(folder.path)  (model.safetensors \(String(format: "%.1f", bytes / 1e6)) MB)")

        // Baseline: reading the file's bytes into fresh memory at all (Data(contentsOf:), one read(2) copy),
        // interleaved with the loads so machine noise hits both alike.
        var readTimes: [Double] = []
        var openTimes: [Double] = []
        var loadTimes: [Double] = []
        var checkpoint: GPT2Checkpoint?
        for _ in 0..<`repeat` {
            readTimes.append(try time { _ = try Data(contentsOf: weights) })
            openTimes.append(try time { _ = try SafeTensorsFile.open(weights) })
            checkpoint = nil  // free the previous copy first, so each load allocates as a fresh process would
            loadTimes.append(try time { checkpoint = try GPT2Checkpoint.load(directory: folder) })
        }
        report("baseline: read file into memory", readTimes, bytes: bytes)
        report("open + validate header", openTimes, bytes: nil)
        report("load (config, header, convert into parameters)", loadTimes, bytes: bytes)
        print(String(format: "load / baseline (best): %.2f", (loadTimes.min() ?? 0) / (readTimes.min() ?? 1)))

        if let saveTo, let checkpoint {
            let target = URL(fileURLWithPath: saveTo)
            let seconds = try time { try checkpoint.save(to: target) }
            print(
                String(
                    format: "save: %.3f s (%.2f GB/s, incl. fsync) -> %@", seconds, bytes / seconds / 1e9, target.path))
        }
    }

    private func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func report(_ label: String, _ times: [Double], bytes: Double?) {
        let sorted = times.sorted()
        var line = String(
            format: "%@: best %.3f s, median %.3f s over %d", label, sorted[0], sorted[sorted.count / 2], sorted.count)
        if let bytes { line += String(format: " (best %.2f GB/s)", bytes / sorted[0] / 1e9) }
        print(line)
    }
}
