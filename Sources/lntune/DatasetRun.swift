import ArgumentParser
import Foundation
import LNTune
import TextIO

/// Dataset mode of `lntune generate` as the command runs it: progress on stderr, Ctrl-C / SIGTERM stop the run
/// after the current batch with what is done kept, and the exit status says whether it completed.
struct DatasetRun {
    let request: DatasetRunRequest

    func run(generator: Generator, parameters: GenerateParameters) throws {
        let stop = StopRequest()
        let kept =
            request.journalPath.map { "finished batches are kept in \($0)" } ?? "finished predictions are printed"
        let trap = SignalTrap(stop: stop) { signal in
            FileHandle.standardError.write(
                Data("\n\(SignalTrap.name(signal)): stopping after this batch (again to quit now; \(kept))\n".utf8))
        }
        defer { trap.uninstall() }
        let outcome = try request.generate(
            generator: generator, parameters: parameters, progress: GenerationProgress(total: 0), stop: stop)
        if request.out == nil { print(try PredictionFiles.jsonLines(outcome.records), terminator: "") }
        guard !outcome.completed else { return }
        let done =
            "stopped after \(NumberText.count(outcome.records.count, "example")) of \(NumberText.grouped(outcome.examples))"
        let next =
            outcome.journal.map { "; their predictions are in \($0): run the same command with --resume to continue" }
            ?? "; they were printed above (the others are missing): give --out to keep a run that can be resumed"
        FileHandle.standardError.write(Data((done + next + "\n").utf8))
        throw ExitCode(SignalTrap.exitStatus(trap.firstSignal ?? SIGINT))
    }
}
