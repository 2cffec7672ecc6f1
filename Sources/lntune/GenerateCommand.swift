import ArgumentParser
import Collective
import Foundation
import LNTune
import TextIO

/// `lntune generate`: continue one prompt, or predict for every example of a dataset file.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate with a GPT-2 (and an adapter): one --prompt, or every example of an --input file.",
        discussion: """
            Dataset mode writes one JSONL record per unique source (id, source, prediction, token_ids, \
            references) to --out (stdout without it) and, with --text, one prediction per line in the data \
            file's order. Predictions are cleaned as Li & Liang's run_generation.py does: cut at \
            <|endoftext|>, transformers' clean_up_tokenization, strip.
            Every finished batch is appended at once to OUT.partial (TEXT.partial without --out); Ctrl-C or \
            SIGTERM stops after the current batch (again to quit at once) and keeps that file, and the same \
            command with --resume decodes only the rest. --out and --text are written when every example is \
            done; an output that is one of the inputs is refused.
            """)

    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Model") var adapter: AdapterOptions
    @Option(help: "Text to continue (<|endoftext|> in it is the special token).") var prompt: String?
    @Option(help: "Data file (or WebNLG folder) to predict for; CRLF reads as LF.") var input: String?
    @Option(help: "Task of --input.") var task: DatasetTask?
    @Option(help: "Prompt template file replacing the task's (see prompts/).") var promptTemplate: String?
    @Option(
        parsing: .unconditional,
        help: SharedBounds.batchSize.help("Prompts decoded together in dataset mode (grouped by length)."))
    var batchSize = 8
    @Option(help: "Predictions JSONL (dataset mode).") var out: String?
    @Option(help: "One prediction per line (dataset mode).") var text: String?
    @Flag(help: "Replace existing --out / --text files (and an interrupted run's OUT.partial).") var overwrite = false
    @Flag(help: "Continue the interrupted dataset run whose predictions are in OUT.partial.") var resume = false
    @Flag(help: "With --prompt: one JSON record per output (text, token_ids, score).") var json = false
    @OptionGroup(title: "Decoding (transformers' names)") var decoding: DecodingOptions

    func validate() throws {
        guard (prompt == nil) != (input == nil) else { throw ValidationError("give either --prompt or --input") }
        if input != nil && task == nil { throw ValidationError("--input needs --task") }
        if prompt != nil && (out != nil || text != nil || task != nil || resume) {
            throw ValidationError("--out, --text, --task and --resume belong to dataset mode (--input)")
        }
        if json && input != nil { throw ValidationError("--json is for --prompt (dataset mode always writes JSONL)") }
        try SharedBounds.batchSize.check(batchSize)
        try PathFlags.refuseEmpty([
            ("--input", input), ("--out", out), ("--text", text), ("--prompt-template", promptTemplate),
        ])
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
        if resume && out == nil && text == nil {
            throw ValidationError("--resume needs --out or --text (the interrupted run's predictions are beside it)")
        }
        if let request = datasetRequest() {
            try CommandFailure.usage { try SameFileCheck.check(outputs: request.outputs, inputs: request.inputs) }
        }
    }

    private func datasetRequest() -> DatasetRunRequest? {
        guard let input, let task else { return nil }
        return DatasetRunRequest(
            task: task, input: input, promptTemplate: promptTemplate, batchSize: batchSize, out: out, text: text,
            overwrite: overwrite, resume: resume)
    }

    func run() throws {
        // Under `mpirun` (an `MPI` build) the ranks share the examples of --input; rank 0 writes.
        let processes = try RunProcesses.start()
        if processes.size > 1 && prompt != nil {
            throw ValidationError("--prompt runs in one process; under mpirun, generate shards the examples of --input")
        }
        // Outputs are checked before the model loads: a bad --out must not cost a model load, or a whole run.
        if processes.isRoot { try datasetRequest()?.checkOutputs() }
        let loaded = try ModelLoader.load(model.request(adapter: adapter.adapter))
        if processes.isRoot { printWarnings(loaded.warnings) }
        let generator = Generator(loaded)
        var choice = try decoding.choice()
        if !decoding.noGenerationConfig {
            choice.configFile = try GenerationConfigFile.read(folder: loaded.modelFolder)
            if processes.isRoot && !choice.configFileSummary.isEmpty {
                FileHandle.standardError.write(Data((choice.configFileSummary + "\n").utf8))
            }
        }
        let parameters = try generator.parameters(choice)
        if processes.size > 1, let request = datasetRequest() {
            if processes.isRoot {
                FileHandle.standardError.write(
                    Data(
                        ("data-parallel: \(processes.size) processes (Open MPI) on \(processes.layoutDescription);"
                            + " batches of \(batchSize) dealt to the ranks in turn; rank 0 writes the predictions in"
                            + " input order\n").utf8))
            }
            let records = try request.generate(generator: generator, parameters: parameters, processes: processes)
            if processes.isRoot && request.out == nil {
                print(try PredictionFiles.jsonLines(records), terminator: "")
            }
            processes.finish()
        } else if let prompt {
            try continuePrompt(prompt, generator: generator, parameters: parameters)
        } else if let request = datasetRequest() {
            try DatasetRun(request: request).run(generator: generator, parameters: parameters)
        }
    }

    private func continuePrompt(_ prompt: String, generator: Generator, parameters: GenerateParameters) throws {
        let start = Date()
        let interactive = isatty(STDOUT_FILENO) == 1
        var newTokens = 0
        if !json && interactive && Generator.canStream(parameters) {
            // Streamed: each token's text appears as soon as its UTF-8 is complete.
            var stream = try generator.stream(
                try generator.encodePrompt(prompt, maxNewTokens: parameters.maxNewTokens), parameters: parameters)
            var decoder = generator.incrementalDecoder()
            while let token = try stream.nextToken() {
                FileHandle.standardOutput.write(Data(try decoder.append(token).utf8))
                newTokens += 1
            }
            print(decoder.finish())
        } else {
            for output in try generator.continuations(of: prompt, parameters: parameters) {
                print(json ? try output.jsonLine() : output.text)
                newTokens += output.tokenIDs.count
            }
        }
        let seconds = Date().timeIntervalSince(start)
        FileHandle.standardError.write(
            Data(
                (NumberText.count(newTokens, "new token")
                    + String(format: " in %.2f s: %.1f tokens/s", seconds, Double(newTokens) / seconds) + "\n").utf8))
    }
}
