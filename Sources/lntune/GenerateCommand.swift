import ArgumentParser
import Foundation
import LNTune

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
            """)

    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Model") var adapter: AdapterOptions
    @Option(help: "Text to continue (<|endoftext|> in it is the special token).") var prompt: String?
    @Option(help: "Data file (or WebNLG folder) to predict for; CRLF reads as LF.") var input: String?
    @Option(help: "Task of --input.") var task: DatasetTask?
    @Option(help: "Prompt template file replacing the task's (see prompts/).") var promptTemplate: String?
    @Option(help: "Prompts decoded together in dataset mode (grouped by length).") var batchSize = 8
    @Option(help: "Predictions JSONL (dataset mode).") var out: String?
    @Option(help: "One prediction per line (dataset mode).") var text: String?
    @Flag(help: "Replace existing --out / --text files.") var overwrite = false
    @Flag(help: "With --prompt: one JSON record per output (text, token_ids, score).") var json = false
    @OptionGroup(title: "Decoding (transformers' names)") var decoding: DecodingOptions

    func validate() throws {
        guard (prompt == nil) != (input == nil) else { throw ValidationError("give either --prompt or --input") }
        if input != nil && task == nil { throw ValidationError("--input needs --task") }
        if prompt != nil && (out != nil || text != nil || task != nil) {
            throw ValidationError("--out, --text and --task belong to dataset mode (--input)")
        }
        if json && input != nil { throw ValidationError("--json is for --prompt (dataset mode always writes JSONL)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let out, out == text { throw ValidationError("--out and --text must be different files") }
    }

    func run() throws {
        let loaded = try ModelLoader.load(model.request(adapter: adapter.adapter))
        printWarnings(loaded.warnings)
        let generator = Generator(loaded)
        let parameters = try generator.parameters(decoding.choice())
        if let prompt {
            try continuePrompt(prompt, generator: generator, parameters: parameters)
            return
        }
        guard let input, let task else { return }
        let request = DatasetRunRequest(
            task: task, input: input, promptTemplate: promptTemplate, batchSize: batchSize,
            out: out, text: text, overwrite: overwrite)
        let records = try request.run(
            generator: generator, parameters: parameters, progress: GenerationProgress(total: 0))
        if out == nil { print(try PredictionFiles.jsonLines(records), terminator: "") }
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
                (String(
                    format: "%d new tokens in %.2f s: %.1f tokens/s", newTokens, seconds, Double(newTokens) / seconds)
                    + "\n").utf8))
    }
}

/// The decoding options, spelled as transformers names them (kebab case); unset ones keep the preset's value.
struct DecodingOptions: ParsableArguments {
    @Option(help: "Preset: sets every option below; the ones given override single settings.") var preset =
        GenerationPreset.greedy
    @Option(help: "Decoding mode (default: the preset's).") var decode: DecodingChoice.Mode?
    @Option(help: "Beams (num_beams).") var numBeams: Int?
    @Option(help: "Beam score = logprob / length ** this (length_penalty).") var lengthPenalty: Double?
    @Option(help: "Beam stop rule (early_stopping).") var earlyStopping: EarlyStopping?
    @Option(help: "No n-gram of this size repeats (no_repeat_ngram_size).") var noRepeatNgramSize: Int?
    @Option(help: "CTRL repetition penalty (repetition_penalty).") var repetitionPenalty: Double?
    @Option(help: "No <|endoftext|> before this many new tokens (min_new_tokens).") var minNewTokens: Int?
    @Option(help: "New tokens at most (max_new_tokens).") var maxNewTokens: Int?
    @Option(help: "Sampling temperature.") var temperature: Double?
    @Option(help: "Sample among the k most likely tokens (top_k; 0 disables).") var topK: Int?
    @Option(help: "Nucleus sampling mass (top_p).") var topP: Double?
    @Option(help: "Sampler seed.") var seed: UInt64?
    @Option(help: "Outputs per prompt (num_return_sequences).") var numReturnSequences: Int?
    @Option(parsing: .upToNextOption, help: "Strings never to generate (tokenised; bad_words_ids).") var badWords:
        [String] = []

    func choice() -> DecodingChoice {
        var c = DecodingChoice()
        (c.preset, c.mode, c.earlyStopping, c.badWords) = (preset.name, decode, earlyStopping, badWords)
        (c.numBeams, c.lengthPenalty, c.noRepeatNgramSize, c.repetitionPenalty) =
            (numBeams, lengthPenalty, noRepeatNgramSize, repetitionPenalty)
        (c.minNewTokens, c.maxNewTokens, c.temperature, c.topK, c.topP, c.seed) =
            (minNewTokens, maxNewTokens, temperature, topK, topP, seed)
        c.numReturnSequences = numReturnSequences
        return c
    }
}
