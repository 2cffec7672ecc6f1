/// Translation Edit Rate exactly as sacreBLEU 2.6.0 (`sacrebleu.metrics.ter.TER`, its Tercom port):
/// per segment the fewest edits (shifts + beam Levenshtein) against any reference over the average
/// reference length; corpus TER is total edits over total average reference length, in percent.
public struct TER: Sendable {
    /// Tercom normalisation (punctuation split, XML entities, mteval's period/comma rules).
    public var normalized: Bool
    /// Remove `.,?:;!"()`.
    public var noPunctuation: Bool
    /// Keep case (sacreBLEU's default lowercases).
    public var caseSensitive: Bool

    public init(normalized: Bool = false, noPunctuation: Bool = false, caseSensitive: Bool = false) {
        self.normalized = normalized
        self.noPunctuation = noPunctuation
        self.caseSensitive = caseSensitive
    }

    /// Per segment: best edit count and average reference length.
    public struct Statistics: Equatable, Sendable {
        public var edits: Int
        public var averageReferenceLength: Double
    }

    public func segmentStatistics(hypotheses: [String], references: [[String]]) throws -> [Statistics] {
        try Corpus.check(hypotheses: hypotheses, references: references)
        var ids = TokenIDs()
        var statistics = [Statistics]()
        for (segment, (hypothesis, refs)) in zip(hypotheses, references).enumerated() {
            let hyp = ids.ids(splitting: tokenize(hypothesis))
            var best = Int(1e16)
            var referenceLengths = 0
            for reference in refs {
                let ref = ids.ids(splitting: tokenize(reference))
                try Corpus.checkAlignment(segment: segment, metric: .ter, hypothesis: hyp.count, reference: ref.count)
                let (edits, length) = try TERAlignment.translationEditRate(hypothesis: hyp, reference: ref)
                referenceLengths += length
                best = Swift.min(best, edits)
            }
            statistics.append(
                Statistics(edits: best, averageReferenceLength: Double(referenceLengths) / Double(refs.count)))
        }
        return statistics
    }

    /// TER of a corpus in percent (can exceed 100).
    public func corpusScore(hypotheses: [String], references: [[String]]) throws -> Double {
        Self.score(try segmentStatistics(hypotheses: hypotheses, references: references))
    }

    /// `_compute_score_from_stats` on the summed statistics.
    public static func score(_ stats: [Statistics]) -> Double {
        var edits = 0
        var length = 0.0
        for s in stats {
            edits += s.edits
            length += s.averageReferenceLength
        }
        if length > 0 { return 100 * (Double(edits) / length) }
        return edits > 0 ? 100 : 0
    }

    /// `TercomTokenizer(sent.rstrip())` without Asian support.
    func tokenize(_ segment: String) -> [UInt32] {
        var s = PythonText.rstripped(PythonText.scalars(segment))
        if s.isEmpty { return [] }
        if !caseSensitive { s = PythonText.lowercased(s) }
        if normalized { s = Self.normalizeWestern(s) }
        if noPunctuation {
            s.removeAll { [0x2E, 0x2C, 0x3F, 0x3A, 0x3B, 0x21, 0x22, 0x28, 0x29].contains($0) }  // . , ? : ; ! " ( )
        }
        return s
    }

    private static let possessive = MtevalPasses.ascii("'s ")
    private static let spacedPossessive = MtevalPasses.ascii(" 's ")

    /// `_normalize_general_and_western`. Its `'s$` rule never fires: the text is padded with spaces first.
    static func normalizeWestern(_ sentence: [UInt32]) -> [UInt32] {
        var s = MtevalPasses.replace(sentence, MtevalPasses.ascii("\n-"), with: [])
        s = s.map { $0 == 0x0A ? 0x20 : $0 }
        s = MtevalPasses.unescapeEntities(s)
        s = [0x20] + s + [0x20]
        s = MtevalPasses.padEach(s, where: MtevalPasses.isMtevalPunct)
        s = MtevalPasses.replace(s, possessive, with: spacedPossessive)
        return MtevalPasses.splitPeriodsCommasDashes(s)
    }

    /// e.g. `nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0`.
    public func signature(references: [[String]]) -> String {
        SacreBLEUSignature.format(
            nrefs: SacreBLEUSignature.nrefs(references),
            fields: [
                ("case", caseSensitive ? "mixed" : "lc"), ("tok", "tercom"), ("norm", normalized ? "yes" : "no"),
                ("punct", noPunctuation ? "no" : "yes"), ("asian", "no"),
            ])
    }
}
