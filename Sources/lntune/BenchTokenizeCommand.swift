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

    static let threadsBound = NumericBound("--threads", 1...256)

    @Option(
        parsing: .unconditional, help: threadsBound.help("Encoding threads: 1 (encode per text) or more (encodeBatch).")
    )
    var threads = 1

    @Option(parsing: .unconditional, help: SharedBounds.repeats.help("Timed passes after the cold one."))
    var repeats = 5

    func validate() throws {
        guard !input.isEmpty else { throw ValidationError("give at least one --input file") }
        try Self.threadsBound.check(threads)
        try SharedBounds.repeats.check(repeats)
        try PathFlags.refuseEmpty([("--tokenizer", tokenizer)] + input.map { ("--input", $0) })
    }

    func run() throws {
        print(CPUInfo.current().header(json: false))
        let texts = try TokenizerBenchmark.texts(paths: input)
        let result = try TokenizerBenchmark.run(
            tokenizerPath: tokenizer, texts: texts, files: input.count, threads: threads, repeats: repeats)
        print(result.text)
    }
}
