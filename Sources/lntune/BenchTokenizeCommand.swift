import ArgumentParser
import Benchmarks
import LNTune

/// `lntune bench tokenize`: encode throughput in MB/s of UTF-8 input (figures for eval/BENCHMARKS.md).
struct BenchTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Measure encode throughput (MB/s) of the GPT-2 tokenizer.",
        discussion: """
            Inputs are text files (one example per line) or .json files holding an array of strings. \
            'cold' is the first pass of a freshly loaded tokenizer (empty word cache); 'best' is the best \
            of --repeats further passes.
            """)

    @Option(help: "Tokenizer folder (vocab.json + merges.txt) or a .tiktoken rank file.")
    var tokenizer: String

    @Option(parsing: .upToNextOption, help: "Input files.")
    var input: [String]

    @Option(help: "Encoding threads: 1 (encode per text) or more (encodeBatch).")
    var threads = 1

    @OptionGroup var timing: BenchRunOptions

    func validate() throws {
        guard !input.isEmpty else { throw ValidationError("give at least one --input file") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        print(CPUInfo.current().header(json: false))
        let texts = try TokenizerBenchmark.texts(paths: input)
        let result = try TokenizerBenchmark.run(
            tokenizerPath: tokenizer, texts: texts, files: input.count, threads: threads, repeats: timing.repeats)
        print(result.text)
    }
}
