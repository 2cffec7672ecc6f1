import ArgumentParser
import Collective
import Foundation
import LNTune

/// `lntune train`: fine-tunes a GPT-2 with one method on one task and writes adapters, a log and a run
/// record (see `RunFolder` for the files and the overwrite rules).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune GPT-2 (LN-Tuning, Prefix-Tuning, BitFit, full) and write adapters.",
        discussion: """
            Writes OUT/run.json (every setting, data SHA-256s, model config, result), OUT/train_log.jsonl, \
            OUT/final/ and, with --dev, OUT/best/ (PEFT adapter folders), and TensorBoard events in \
            OUT/tensorboard/. lntune report OUT draws the run. Ctrl-C or SIGTERM stops after the \
            current step and writes OUT/checkpoint.safetensors (a second Ctrl-C quits at once); the same \
            command with --resume continues to the result an uninterrupted run gives. An existing OUT is \
            refused unless --overwrite, which replaces only the files listed above; a second run into an OUT \
            another run is writing is refused. A run that diverges (NaN loss) or cannot save stops with an \
            error naming the step and the checkpoint --resume continues from; no NaN adapter is written.
            """)

    @OptionGroup(title: "Model") var model: ModelOptions

    @Option(help: "Task (text: one document per line).")
    var task: TrainingTask

    @Option(help: "Training data file (or WebNLG folder); CRLF reads as LF.")
    var train: String

    @Option(help: "Dev data file: dev loss, best adapter, early stopping; CRLF reads as LF.")
    var dev: String?

    @Option(
        parsing: .unconditional, help: "Evaluate on the first N examples of --dev only (a faster, rougher dev loss).")
    var maxDevExamples: Int?

    @Option(help: "Prompt template file replacing the task's (see prompts/).")
    var promptTemplate: String?

    @Option(help: "Bad data rows: fail (stop with the error) or skip (leave out and count).")
    var onBadRow = OnBadRow.fail

    @Option(
        parsing: .unconditional, help: "Longest sequence in tokens (default: the model's context minus the prefix).")
    var maxLength: Int?

    @OptionGroup(title: "Method") var method: MethodOptions
    @OptionGroup(title: "Optimisation") var optimization: OptimizationOptions
    @OptionGroup(title: "Evaluation and logging") var evaluation: EvaluationOptions

    @Option(help: "Output folder.")
    var out: String

    @Flag(help: "Continue the interrupted run in --out from its checkpoint.")
    var resume = false

    @Flag(help: "Replace the files of an earlier run in --out (nothing else there is touched).")
    var overwrite = false

    @Flag(help: "Evaluate the dev loss once before training.")
    var evalAtStart = false

    @Option(parsing: .unconditional, help: "Without a terminal, print a progress line every N steps.")
    var logEvery = 10

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
        if logEvery < 1 { throw ValidationError("--log-every must be at least 1") }
        do { try settings().validate() } catch { throw ValidationError("\(error)") }
    }

    func settings() throws -> TrainingSettings {
        let o = optimization
        return TrainingSettings(
            model: try model.resolvedModel(), tokenizer: model.tokenizer, task: task.description, train: train,
            dev: dev,
            maxDevExamples: maxDevExamples, promptTemplate: promptTemplate, onBadRow: onBadRow.rawValue,
            maxLength: maxLength,
            method: try method.configuration(), epochs: o.epochs, maxSteps: o.maxSteps, learningRate: o.learningRate,
            schedule: o.schedule, batchSize: o.batchSize,
            gradientAccumulation: o.gradAccum, warmup: o.warmup, weightDecay: o.weightDecay, clip: o.clip, seed: o.seed,
            dropout: o.dropout == 0 ? nil : o.dropout, evalEvery: o.evalEvery, saveEvery: o.saveEvery,
            earlyStoppingPatience: o.earlyStoppingPatience, out: out,
            devMetrics: evaluation.devMetrics(), reportTo: evaluation.reportTo, precision: model.recordedPrecision)
    }

    func run() throws {
        // Under `mpirun` (an `MPI` build) the ranks train together; rank 0 prints and writes.
        let processes = try RunProcesses.start()
        let printer = ProgressPrinter(lineEvery: logEvery)
        let trainer = try Trainer(
            settings: try settings(), resume: resume, overwrite: overwrite, command: CommandLine.arguments,
            processes: processes)
        if processes.isRoot {
            printWarnings(trainer.warnings)
            for notice in trainer.notices { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
            for line in trainer.dataParallelOverview { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        }
        let stop = StopRequest()
        // Several ranks keep the default signal actions: a rank that stopped on its own would leave the others
        // waiting, so Ctrl-C ends the job (mpirun forwards it) and --resume continues from the last
        // --save-every checkpoint.
        guard processes.size == 1 else {
            let summary = try trainer.run(
                control: TrainingControl(stop: stop, evaluateAtStart: evalAtStart),
                observer: processes.isRoot ? printer.handle : { _ in })
            if processes.isRoot {
                printer.report(summary)
                if let line = trainer.dataParallelExchangeSummary { printer.line(line) }
            }
            processes.finish()
            return
        }
        let trap = SignalTrap(stop: stop) { signal in
            FileHandle.standardError.write(
                Data(
                    ("\n\(SignalTrap.name(signal)): stopping after this step or dev batch and writing a checkpoint"
                        + " (again to quit now)\n").utf8))
        }
        defer { trap.uninstall() }
        let summary = try trainer.run(
            control: TrainingControl(stop: stop, evaluateAtStart: evalAtStart), observer: printer.handle)
        printer.report(summary)
        if summary.status == .interrupted, let signal = trap.firstSignal {
            throw ExitCode(SignalTrap.exitStatus(signal))
        }
    }
}
