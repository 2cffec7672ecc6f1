import ArgumentParser
import LNTune

@main
struct LNTuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lntune",
        abstract: "Parameter-efficient fine-tuning of GPT-2 (LN-Tuning, Prefix-Tuning), decoding and scoring.",
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
            BenchGenerateCommand.self,
            BenchLoadCommand.self,
            BenchScoreCommand.self,
            BenchTokenizeCommand.self,
            BenchTrainStepCommand.self,
            BenchTuneCommand.self,
        ]
    )
}
