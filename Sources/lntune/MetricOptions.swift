import ArgumentParser
import LNTune

/// The metric settings of `lntune score`, named as sacreBLEU 2.6.0's command line and constructors name them
/// (`--smooth-value`, `--chrf-beta`, `--ter-normalized`, …) and rouge-score's `BootstrapAggregator` its level.
/// They fill one `ScoringOptions`, whose metrics print the signatures sacreBLEU prints for the same settings.
struct MetricOptions: ParsableArguments {
    @Option(help: "Tokenizer for BLEU, NIST and CIDEr.")
    var tokenize = BLEUTokenizer.thirteenA

    @Option(help: "BLEU smoothing.")
    var smooth = BLEUSmoothing.exp

    static let smoothValueBound = NumericBound(
        "--smooth-value", 0.0...100.0, note: "for --smooth floor (default 0.1) and add-k (default 1) only")

    @Option(parsing: .unconditional, help: smoothValueBound.help("BLEU smoothing value (sacreBLEU's smooth_value)."))
    var smoothValue: Double?

    @Flag(help: "Corpus BLEU over the n-gram orders the hypotheses have (sentence BLEU always is).")
    var effectiveOrder = false

    static let maxNGramOrderBound = NumericBound("--max-ngram-order", 1...6, note: "sacreBLEU's default is 4")

    @Option(
        name: .customLong("max-ngram-order"), parsing: .unconditional,
        help: maxNGramOrderBound.help("Longest n-gram BLEU counts."))
    var maxNGramOrder = 4

    @Flag(help: "Lowercase before BLEU, NIST, CIDEr and chrF.")
    var lowercase = false

    static let chrfBetaBound = NumericBound("--chrf-beta", 1...100, note: "sacreBLEU's default is 2")

    @Option(parsing: .unconditional, help: chrfBetaBound.help("chrF's beta: recall weighs beta times precision."))
    var chrfBeta = 2

    @Flag(help: "chrF: keep whitespace inside character n-grams.")
    var chrfWhitespace = false

    @Flag(help: "chrF: epsilon smoothing (chrF++.py, NLTK, Moses) instead of the effective order.")
    var chrfEpsSmoothing = false

    @Flag(help: "TER: Tercom normalisation (punctuation split, XML entities, period/comma rules).")
    var terNormalized = false

    @Flag(help: "TER: remove the punctuation .,?:;!\"() (and CJK punctuation with --ter-asian-support).")
    var terNoPunct = false

    @Flag(help: "TER: CJK characters as tokens (with --ter-normalized), CJK punctuation removed (--ter-no-punct).")
    var terAsianSupport = false

    @Flag(help: "TER: keep case (TER lowercases by default).")
    var terCaseSensitive = false

    @Flag(help: "Porter-stem tokens for ROUGE (rouge-score's use_stemmer).")
    var stem = false

    @Flag(
        help: ArgumentHelp(
            "Not supported: rouge-score's split_summaries (refused with the reason).",
            discussion: "rougeLsum splits summaries at newlines, as rouge-score does by default."))
    var splitSummaries = false

    static let bootstrapBound = NumericBound("--bootstrap", 1...100_000, note: "rouge-score uses 1,000")

    @Option(
        parsing: .unconditional,
        help: bootstrapBound.help("Bootstrap resamples for ROUGE confidence intervals (progress on stderr)."))
    var bootstrap: Int?

    static let confidenceBound = NumericBound("--confidence", above: 0.0, below: 1.0, note: "rouge-score uses 0.95")

    @Option(parsing: .unconditional, help: confidenceBound.help("Level of the --bootstrap intervals."))
    var confidence: Double?

    @Option(parsing: .unconditional, help: SharedBounds.seed.help("Seed of the bootstrap resampling."))
    var seed: UInt64 = 0

    /// Bounds first (each names its flag and range), then the combinations `ScoringOptions` refuses.
    func validate() throws {
        try Self.smoothValueBound.check(smoothValue)
        try Self.maxNGramOrderBound.check(maxNGramOrder)
        try Self.chrfBetaBound.check(chrfBeta)
        try Self.bootstrapBound.check(bootstrap)
        try Self.confidenceBound.check(confidence)
        if splitSummaries {
            throw ValidationError(
                "--split-summaries is not supported: rouge-score splits with nltk.sent_tokenize, whose English Punkt "
                    + "model (punkt_tab) is downloaded data LNTune does not ship or reimplement; put one sentence per "
                    + "line instead (rougeLsum splits at newlines, rouge-score's default)")
        }
        if confidence != nil && bootstrap == nil {
            throw ValidationError("--confidence sets the level of --bootstrap intervals; add --bootstrap N")
        }
        try CommandFailure.usage { try scoringOptions(metrics: []).validate() }
    }

    /// The settings for `Scorer.score`.
    func scoringOptions(metrics: [MetricName], perExample: Bool = false) -> ScoringOptions {
        var options = ScoringOptions(
            metrics: metrics, tokenizer: tokenize, lowercase: lowercase, smoothing: smooth, stem: stem,
            perExample: perExample, bootstrapSamples: bootstrap, seed: seed)
        options.smoothValue = smoothValue
        options.effectiveOrder = effectiveOrder
        options.maxNGramOrder = maxNGramOrder
        options.chrfBeta = chrfBeta
        options.chrfWhitespace = chrfWhitespace
        options.chrfEpsSmoothing = chrfEpsSmoothing
        options.terNormalized = terNormalized
        options.terNoPunctuation = terNoPunct
        options.terAsianSupport = terAsianSupport
        options.terCaseSensitive = terCaseSensitive
        options.confidence = confidence ?? 0.95
        return options
    }
}
