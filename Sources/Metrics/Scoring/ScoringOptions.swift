/// Settings of one `lntune score` run: which metrics, and every option of theirs, named as sacreBLEU 2.6.0 and
/// rouge-score 0.1.2 name them. The one place metric options live: the metrics are built from it
/// (`bleu`, `chrf(_:)`, `ter`), so a setting reaches every metric it applies to and its signature.
public struct ScoringOptions: Sendable {
    public var metrics: [MetricName]
    /// Tokenizer for BLEU, NIST and CIDEr.
    public var tokenizer: BLEUTokenizer
    /// Lowercase for BLEU, NIST, CIDEr and chrF (TER lowercases by default, ROUGE always).
    public var lowercase: Bool
    public var smoothing: BLEU.Smoothing
    /// `smooth_value` for `floor` and `add-k` (nil: sacreBLEU's default, 0.1 and 1).
    public var smoothValue: Double? = nil
    /// Corpus BLEU over the n-gram orders the hypotheses have (`effective_order`; sentence BLEU always uses it).
    public var effectiveOrder = false
    /// BLEU's `max_ngram_order` (sacreBLEU's signature does not show it).
    public var maxNGramOrder = 4
    /// chrF's `beta`: recall weighs beta times as much as precision.
    public var chrfBeta = 2
    /// chrF's `whitespace`: keep spaces inside character n-grams.
    public var chrfWhitespace = false
    /// chrF's `eps_smoothing`: chrF++.py/NLTK/Moses smoothing instead of the effective order.
    public var chrfEpsSmoothing = false
    /// TER's `normalized`, `no_punct`, `asian_support` and `case_sensitive`.
    public var terNormalized = false
    public var terNoPunctuation = false
    public var terAsianSupport = false
    public var terCaseSensitive = false
    /// Porter stemming for ROUGE.
    public var stem: Bool
    public var perExample: Bool
    /// Bootstrap resamples for ROUGE confidence intervals (nil: none).
    public var bootstrapSamples: Int?
    /// The interval's level (rouge-score's `confidence_interval`), in (0, 1).
    public var confidence = 0.95
    public var seed: UInt64
    /// Called during the bootstrap with the resamples done and the total (it can take minutes on a big corpus).
    public var bootstrapProgress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }

    public init(
        metrics: [MetricName] = MetricName.defaults, tokenizer: BLEUTokenizer = .thirteenA, lowercase: Bool = false,
        smoothing: BLEU.Smoothing = .exp, stem: Bool = false, perExample: Bool = false, bootstrapSamples: Int? = nil,
        seed: UInt64 = 0
    ) {
        self.metrics = metrics
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.smoothing = smoothing
        self.stem = stem
        self.perExample = perExample
        self.bootstrapSamples = bootstrapSamples
        self.seed = seed
    }

    /// Corpus BLEU as configured.
    public var bleu: BLEU {
        BLEU(
            tokenizer: tokenizer, lowercase: lowercase, smoothing: smoothing, smoothValue: smoothValue,
            effectiveOrder: effectiveOrder, maxOrder: maxNGramOrder)
    }

    /// chrF (`.chrf`) or chrF++ (`.chrfPlusPlus`) as configured.
    public func chrf(_ metric: MetricName) -> CHRF {
        CHRF(
            wordOrder: metric == .chrfPlusPlus ? 2 : 0, beta: chrfBeta, lowercase: lowercase,
            whitespace: chrfWhitespace, epsSmoothing: chrfEpsSmoothing)
    }

    public var ter: TER {
        TER(
            normalized: terNormalized, noPunctuation: terNoPunctuation, caseSensitive: terCaseSensitive,
            asianSupport: terAsianSupport)
    }

    /// Refuses values no reference tool gives a meaningful score for, naming the option as the CLI spells it:
    /// a negative smoothing value (sacreBLEU would take log of a negative precision), an n-gram order outside
    /// 1…6, a chrF beta below 1 (beta 0 is precision alone, and sacreBLEU's name `chrF0` would hide it), a
    /// confidence outside (0, 1) (0 and 1 give an empty interval and the range of the resamples).
    public func validate() throws {
        if let smoothValue, !(smoothValue >= 0 && smoothValue.isFinite) {
            throw MetricsError.invalidOption(what: "--smooth-value", value: "\(smoothValue)", hint: "use 0 or more")
        }
        if smoothValue != nil && smoothing.defaultValue == nil {
            throw MetricsError.invalidOption(
                what: "--smooth-value", value: "\(smoothValue ?? 0)",
                hint: "it applies to --smooth floor and add-k only; \(smoothing.rawValue) takes no value")
        }
        guard (1...NGram.maxOrder).contains(maxNGramOrder) else {
            throw MetricsError.invalidOption(
                what: "--max-ngram-order", value: "\(maxNGramOrder)", hint: "use 1 to \(NGram.maxOrder)")
        }
        guard chrfBeta >= 1 else {
            throw MetricsError.invalidOption(what: "--chrf-beta", value: "\(chrfBeta)", hint: "use 1 or more")
        }
        guard confidence > 0 && confidence < 1 else {
            throw MetricsError.invalidOption(
                what: "--confidence", value: "\(confidence)", hint: "use a level above 0 and below 1, e.g. 0.95")
        }
    }
}
