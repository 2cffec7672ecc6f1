import ArgumentParser
import Foundation
import LNTune

/// `lntune score`: corpus metrics for hypotheses against references, numbers identical to sacreBLEU 2.6.0
/// (BLEU, chrF, TER), rouge-score 0.1.2 (ROUGE), nltk (NIST) and pycocoevalcap (CIDEr-D).
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score hypotheses against references (BLEU, ROUGE, NIST, CIDEr, TER, chrF).",
        discussion: """
            Inputs: --hyp with one or more --ref files (line k of every file is segment k), or --hyp with \
            --refs-grouped (the e2e-metrics layout: an instance's references on consecutive lines, instances \
            separated by a blank line), or --jsonl (one {"prediction": …, "references": […]} object per line).
            BLEU, chrF and TER match sacreBLEU 2.6.0 (signature printed), ROUGE matches rouge-score 0.1.2 (mean \
            over examples; per type the best reference by F), NIST matches nltk's corpus_nist and CIDEr matches \
            pycocoevalcap's CIDEr-D, both on the --tokenize tokens. METEOR is not implemented yet.
            """)

    @Option(name: .customLong("hyp"), help: "Hypotheses, one per line; CRLF reads as LF.")
    var hypothesisPath: String?

    @Option(name: .customLong("ref"), help: "References parallel to --hyp's lines (repeatable); CRLF reads as LF.")
    var referencePaths: [String] = []

    @Option(name: .customLong("refs-grouped"), help: "References per instance, blank-line separated; CRLF reads as LF.")
    var groupedPath: String?

    @Option(name: .customLong("jsonl"), help: "Predictions + references, a JSON object per line; CRLF reads as LF.")
    var jsonlPath: String?

    @Option(help: "Metrics to compute, comma-separated (METEOR is not implemented yet).")
    var metrics = MetricList(MetricName.defaults)

    @Option(help: "Tokenizer for BLEU, NIST and CIDEr.")
    var tokenize = BLEUTokenizer.thirteenA

    @Option(help: "BLEU smoothing.")
    var smooth = BLEUSmoothing.exp

    @Flag(help: "Lowercase before BLEU, NIST, CIDEr and chrF.")
    var lowercase = false

    @Flag(help: "Porter-stem tokens for ROUGE (rouge-score's use_stemmer).")
    var stem = false

    static let bootstrapBound = NumericBound("--bootstrap", 1...100_000, note: "rouge-score uses 1,000")

    @Option(
        parsing: .unconditional,
        help: bootstrapBound.help("Bootstrap resamples for ROUGE confidence intervals (progress on stderr)."))
    var bootstrap: Int?

    @Option(parsing: .unconditional, help: SharedBounds.seed.help("Seed of the bootstrap resampling."))
    var seed: UInt64 = 0

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: .customLong("per-example"), help: "Also print sentence-level scores for every example.")
    var perExample = false

    func validate() throws {
        let sources = [!referencePaths.isEmpty, groupedPath != nil, jsonlPath != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("give exactly one of --ref (repeatable), --refs-grouped or --jsonl")
        }
        if jsonlPath != nil {
            guard hypothesisPath == nil else { throw ValidationError("--jsonl holds the predictions; drop --hyp") }
        } else if hypothesisPath == nil {
            throw ValidationError("--hyp is required with --ref or --refs-grouped")
        }
        try Self.bootstrapBound.check(bootstrap)
        try CommandFailure.usage { _ = try metrics.names() }
        let inputs =
            [("--hyp", hypothesisPath), ("--refs-grouped", groupedPath), ("--jsonl", jsonlPath)]
            + referencePaths.map { ("--ref", $0) }
        try PathFlags.refuseEmpty(inputs)
        if let (flag, _) = inputs.first(where: { $0.1 == "-" }) {
            throw ValidationError("\(flag) -: score reads files, not standard input; save the text to a file first")
        }
        try CommandFailure.usage {
            try SameFileCheck.check(
                outputs: [], inputs: inputs.compactMap { flag, path in path.map { .init(flag, $0) } },
                standardOutput: true)
        }
    }

    private func options(progress: LineProgress) throws -> ScoringOptions {
        var options = ScoringOptions(
            metrics: try metrics.names(), tokenizer: tokenize, lowercase: lowercase, smoothing: smooth, stem: stem,
            perExample: perExample, bootstrapSamples: bootstrap, seed: seed)
        options.bootstrapProgress = { progress.update($0, $1) }
        return options
    }

    /// Errors from reading or scoring (a MetricsError naming file and line) print as `Error: …`, exit 1.
    func run() throws {
        let corpus: ScoringCorpus
        if let jsonlPath {
            corpus = try .jsonl(path: jsonlPath)
        } else if let groupedPath, let hypothesisPath {
            corpus = try .grouped(hypothesisPath: hypothesisPath, groupedPath: groupedPath)
        } else {
            corpus = try .parallel(hypothesisPath: hypothesisPath ?? "", referencePaths: referencePaths)
        }
        let progress = LineProgress(noun: "bootstrap resample")
        let report = try Scorer.score(corpus, options: try options(progress: progress))
        progress.finish()
        print(json ? try report.json() : report.table())
    }
}
