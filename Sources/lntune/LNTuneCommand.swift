import ArgumentParser
import LNTune
import WorkerThreads

@main
struct LNTuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lntune",
        abstract: "Parameter-efficient fine-tuning of GPT-2 (LN-Tuning, Prefix-Tuning), decoding and scoring.",
        discussion: """
            Exit status: 0 done; 1 a run-time error (a file, a model, the data, the machine); 64 a usage error (a \
            flag's value or a combination of flags); 128 + N stopped by signal N (130 after Ctrl-C, 143 after \
            SIGTERM), with the work finished so far kept (see each command's help). Numeric flags list their \
            range in each command's --help; a negative value is written as usual (--length-penalty -0.5).
            """,
        version: LNTuneVersion.string,
        subcommands: [
            // Each subcommand lives in its own file; keep this list in workflow order.
            DownloadCommand.self,
            TokenizeCommand.self,
            TrainCommand.self,
            QuickstartCommand.self,
            GenerateCommand.self,
            ScoreCommand.self,
            PerplexityCommand.self,
            MergeCommand.self,
            ReportCommand.self,
            StudyCommand.self,
            BenchCommand.self,
        ]
    )

    /// ArgumentParser's `main`, with the failures of a run reported by `CommandFailure` (message and exit
    /// status); parsing and `validate()` errors keep ArgumentParser's own report (exit status 64).
    static func main() async {
        var command: ParsableCommand
        do {
            // An invalid LNTUNE_THREADS is refused before any command runs, rather than falling back silently.
            try WorkerThreads.validateEnvironment()
            command = try await asyncParseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            CommandFailure.exit(error)
        }
    }
}

/// `lntune bench …`: throughput figures printed for eval/BENCHMARKS.md (one subcommand per component).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Print throughput figures for one component (see eval/BENCHMARKS.md).",
        subcommands: [
            BenchDataCommand.self,
            BenchDecodingCommand.self,
            BenchForwardCommand.self,
            BenchGEMMCommand.self,
            BenchGenerateCommand.self,
            BenchLoadCommand.self,
            BenchScoreCommand.self,
            BenchTokenizeCommand.self,
            BenchTrainStepCommand.self,
            BenchTuneCommand.self,
        ]
    )
}
