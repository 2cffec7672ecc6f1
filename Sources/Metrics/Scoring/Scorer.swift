import Foundation

/// The metrics `lntune score` can compute.
public enum MetricName: String, CaseIterable, Sendable {
    case bleu, rouge, nist, cider, ter, chrf
    case chrfPlusPlus = "chrf++"

    /// What runs when no metric is named: everything except chrF++ (a variant of chrF).
    public static let defaults: [MetricName] = [.bleu, .rouge, .nist, .cider, .ter, .chrf]

    /// Parses a comma-separated list such as `bleu,rouge` (any letter case, spaces around names allowed).
    /// An empty list, an empty name between commas and a name given twice are refused: each would otherwise
    /// run something other than what was asked, silently.
    public static func parseList(_ text: String) throws -> [MetricName] {
        let choices = "choose from \(allCases.map(\.rawValue).joined(separator: ", ")) (METEOR is not implemented yet)"
        guard !text.allSatisfy(\.isWhitespace) else {
            throw MetricsError.invalidOption(what: "--metrics", value: text, hint: "the list is empty; " + choices)
        }
        var names: [MetricName] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty else {
                throw MetricsError.invalidOption(
                    what: "--metrics", value: text, hint: "a name between two commas is empty; " + choices)
            }
            guard let metric = MetricName(rawValue: name) else {
                throw MetricsError.invalidOption(what: "metric", value: name, hint: choices)
            }
            guard !names.contains(metric) else {
                throw MetricsError.invalidOption(
                    what: "--metrics", value: text, hint: "\(name) is named twice; name each metric once")
            }
            names.append(metric)
        }
        return names
    }
}

/// Settings shared by the metrics of one `lntune score` run.
public struct ScoringOptions: Sendable {
    public var metrics: [MetricName]
    /// Tokenizer for BLEU, NIST and CIDEr.
    public var tokenizer: BLEUTokenizer
    /// Lowercase for BLEU, NIST, CIDEr and chrF (TER lowercases by default, ROUGE always).
    public var lowercase: Bool
    public var smoothing: BLEU.Smoothing
    /// Porter stemming for ROUGE.
    public var stem: Bool
    public var perExample: Bool
    /// Bootstrap resamples for ROUGE confidence intervals (nil: none).
    public var bootstrapSamples: Int?
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
}

/// Runs the selected metrics over a corpus and collects corpus scores (and per-example scores).
public enum Scorer {
    public static func score(_ corpus: ScoringCorpus, options: ScoringOptions) throws -> ScoreReport {
        let hyps = corpus.hypotheses, refs = corpus.references
        var report = ScoreReport(segments: hyps.count, metrics: [])
        var examples = [[String: Double]](repeating: [:], count: options.perExample ? hyps.count : 0)
        for metric in options.metrics {
            switch metric {
            case .bleu:
                let bleu = BLEU(
                    tokenizer: options.tokenizer, lowercase: options.lowercase, smoothing: options.smoothing)
                let stats = try bleu.segmentStatistics(hypotheses: hyps, references: refs)
                let score = bleu.score(stats.dropFirst().reduce(stats[0], +))
                var details = [
                    "bp": score.brevityPenalty, "ratio": score.ratio,
                    "hyp_len": Double(score.statistics.hypothesisLength),
                    "ref_len": Double(score.statistics.referenceLength),
                ]
                for (n, precision) in score.precisions.enumerated() { details["precision\(n + 1)"] = precision }
                report.metrics.append(
                    .init(
                        name: "BLEU", score: score.score, signature: bleu.signature(references: refs),
                        summary: score.verbose, details: details))
                // Sentence BLEU as sacreBLEU's sentence_bleu: effective order on.
                var sentence = bleu
                sentence.effectiveOrder = true
                for k in examples.indices { examples[k]["bleu"] = sentence.score(stats[k]).score }
            case .rouge:
                let rouge = Rouge(kinds: Rouge.Kind.standard, useStemmer: options.stem)
                let scores = try rouge.scores(predictions: hyps, targets: refs)
                let means = Rouge.mean(scores)
                let intervals = try options.bootstrapSamples.map { samples in
                    try Bootstrap.interval(
                        scores.map { $0.flatMap { [$0.precision, $0.recall, $0.fmeasure] } }, samples: samples,
                        seed: options.seed, progress: options.bootstrapProgress)
                }
                for (k, kind) in rouge.kinds.enumerated() {
                    var details = [
                        "precision": means[k].precision, "recall": means[k].recall, "fmeasure": means[k].fmeasure,
                    ]
                    if let interval = intervals {
                        for (m, measure) in ["precision", "recall", "fmeasure"].enumerated() {
                            details["\(measure)_low"] = interval.low[3 * k + m]
                            details["\(measure)_mid"] = interval.mid[3 * k + m]
                            details["\(measure)_high"] = interval.high[3 * k + m]
                        }
                    }
                    report.metrics.append(
                        .init(
                            name: kind.description, score: means[k].fmeasure,
                            signature: "rouge-score:0.1.2|stem:\(options.stem ? "yes" : "no")|lsum:newline"
                                + (options.bootstrapSamples.map { "|bs:\($0)|seed:\(options.seed)" } ?? ""),
                            summary: nil, details: details))
                    for e in examples.indices { examples[e][kind.description] = scores[e][k].fmeasure }
                }
            case .nist:
                let nist = NIST(tokenizer: options.tokenizer, lowercase: options.lowercase)
                report.metrics.append(
                    .init(
                        name: "NIST", score: try nist.corpusScore(hypotheses: hyps, references: refs),
                        signature: "nltk:corpus_nist|n:5|tok:\(options.tokenizer.rawValue)|case:\(caseName(options))",
                        summary: nil, details: [:]))
                for k in examples.indices {
                    examples[k]["nist"] = try nist.sentenceScore(hypothesis: hyps[k], references: refs[k])
                }
            case .cider:
                let cider = CIDEr(tokenizer: options.tokenizer, lowercase: options.lowercase)
                let (corpusScore, segments) = try cider.scores(hypotheses: hyps, references: refs)
                report.metrics.append(
                    .init(
                        name: "CIDEr", score: corpusScore,
                        signature: "pycocoevalcap:1.2|cider-d|n:4|sigma:6|tok:\(options.tokenizer.rawValue)"
                            + "|case:\(caseName(options))",
                        summary: nil, details: [:]))
                for k in examples.indices { examples[k]["cider"] = segments[k] }
            case .ter:
                let ter = TER()
                let stats = try ter.segmentStatistics(hypotheses: hyps, references: refs)
                report.metrics.append(
                    .init(
                        name: "TER", score: TER.score(stats), signature: ter.signature(references: refs), summary: nil,
                        details: [
                            "edits": Double(stats.reduce(0) { $0 + $1.edits }),
                            "ref_len": stats.reduce(0.0) { $0 + $1.averageReferenceLength },
                        ]))
                for k in examples.indices { examples[k]["ter"] = TER.score([stats[k]]) }
            case .chrf, .chrfPlusPlus:
                let chrf = CHRF(wordOrder: metric == .chrf ? 0 : 2, lowercase: options.lowercase)
                let stats = try chrf.segmentStatistics(hypotheses: hyps, references: refs)
                var total = [Int](repeating: 0, count: stats[0].count)
                for segment in stats { for k in total.indices { total[k] += segment[k] } }
                report.metrics.append(
                    .init(
                        name: chrf.name, score: chrf.fScore(total), signature: chrf.signature(references: refs),
                        summary: nil, details: [:]))
                for k in examples.indices { examples[k][metric.rawValue] = chrf.fScore(stats[k]) }
            }
        }
        if options.perExample { report.perExample = examples }
        return report
    }

    private static func caseName(_ options: ScoringOptions) -> String { options.lowercase ? "lc" : "mixed" }
}
