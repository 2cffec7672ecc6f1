import ArgumentParser
import Foundation
import LNTune
import TextIO

/// `lntune perplexity`: per-line loss and token count of a text file, and the corpus perplexity.
struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Score each line of a text file under a model (and adapter): loss, tokens, perplexity.",
        discussion: """
            Each line is one sequence. By default <|endoftext|> is put in front of every line, so every real \
            token of the line is scored (as lm-eval does for a document's first token); with \
            --no-prepend-endoftext a line's first token is context only. The corpus perplexity is \
            exp(total loss / total scored tokens). A line longer than the model's context (n_positions, minus \
            the leading <|endoftext|> and an adapter's prefix slots) is an error naming the line: nothing is \
            truncated. An input with nothing to score (empty, or only blank lines) is an error. Losses are \
            natural-log nats.
            """)

    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Model") var adapter: AdapterOptions

    @Option(help: "Text file, one sequence per line (UTF-8; CRLF reads as LF); '-' reads standard input.")
    var input: String

    @Option(parsing: .unconditional, help: SharedBounds.batchSize.help("Lines per forward pass."))
    var batchSize = 8

    @Flag(inversion: .prefixedNo, help: "Score every token after a leading <|endoftext|>.")
    var prependEndoftext = true

    @Flag(help: "Print one JSON object (lines, tokens, loss, mean_loss, perplexity) instead of a table.")
    var json = false

    func validate() throws {
        try SharedBounds.batchSize.check(batchSize)
        try PathFlags.refuseEmpty([("--input", input)])
        try CommandFailure.usage {
            try SameFileCheck.check(
                outputs: [], inputs: [.init("--input", input)] + model.inputFiles(adapter: adapter.adapter),
                standardOutput: true)
        }
    }

    func run() throws {
        let loaded = try ModelLoader.load(model.request(adapter: adapter.adapter))
        printWarnings(loaded.warnings)
        let (bytes, source) = try LineInput.read(path: input)
        let lines = try LineInput.textLines(bytes, source: source)
        let progress = LineProgress(noun: "line")
        let report = try Perplexity.evaluate(
            lines: lines, source: source, model: loaded,
            options: .init(batchSize: batchSize, prependEndOfText: prependEndoftext), progress: progress.update)
        progress.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            // Losses are finite (checked); a perplexity can still overflow exp() on an absurdly bad model.
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let decimal = { (x: Double) in NumberText.decimal(x, digits: 4) }
        print("line\ttokens\tloss\tperplexity")
        for line in report.lines {
            print("\(line.line)\t\(line.tokens)\t\(decimal(line.loss))\t\(line.perplexity.map(decimal) ?? "-")")
        }
        let scoring =
            report.prependedEndOfText ? "every token scored after <|endoftext|>" : "first token of each line not scored"
        print(
            "corpus: \(NumberText.count(report.tokens, "token")), \(decimal(report.meanLoss)) nats/token, "
                + "perplexity \(decimal(report.perplexity)) (\(scoring))")
    }
}
