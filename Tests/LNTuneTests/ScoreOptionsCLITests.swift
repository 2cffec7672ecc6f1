import Foundation
import TestSupport
import Testing

/// `lntune score` with sacreBLEU's options (issue 17), run as a user runs it: the flags reach the metric, the
/// JSON report carries sacreBLEU's score and signature from the metric fixtures, and values without a meaningful
/// score are usage errors (status 64) naming the flag.
@Suite(needsLNTune)
struct ScoreOptionsCLITests {
    /// A fixture case: its corpus written as JSON lines, and the score and signature sacreBLEU gave.
    struct Expected {
        var jsonl: String
        var score: Double
        var signature: String
    }

    static func expected(_ fixture: String, _ caseName: String) throws -> Expected {
        let data = try Data(contentsOf: Fixtures.url("metrics/\(fixture).json"))
        let table = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(table["cases"] as? [[String: Any]])
        let found = try #require(cases.first { $0["name"] as? String == caseName }, "no case \(caseName)")
        let corpora = try #require(table["corpora"] as? [String: [String: Any]])
        let corpusName = try #require(found["corpus"] as? String)
        let corpus = try #require(corpora[corpusName])
        let hypotheses = try #require(corpus["hypotheses"] as? [String])
        let references = try #require(corpus["references"] as? [[String]])
        let lines = try zip(hypotheses, references).map { hypothesis, refs in
            let object: [String: Any] = ["prediction": hypothesis, "references": refs]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        return Expected(
            jsonl: lines.joined(separator: "\n") + "\n", score: try #require(found["score"] as? Double),
            signature: try #require(found["signature"] as? String))
    }

    /// (fixture, case name, metric, flags): one case per option group.
    static let cases: [(String, String, String, [String])] = [
        (
            "bleu",
            "short sentences / {'tokenize': '13a', 'lowercase': False, 'smooth': 'floor', 'smoothValue': 0.01, "
                + "'effectiveOrder': True, 'maxNGramOrder': 6}",
            "bleu", ["--smooth", "floor", "--smooth-value", "0.01", "--effective-order", "--max-ngram-order", "6"]
        ),
        (
            "bleu",
            "random / {'tokenize': '13a', 'lowercase': False, 'smooth': 'add-k', 'smoothValue': 3.0, "
                + "'effectiveOrder': False, 'maxNGramOrder': 4}",
            "bleu", ["--smooth", "add-k", "--smooth-value", "3"]
        ),
        (
            "bleu",
            "handwritten / {'tokenize': '13a', 'lowercase': False, 'smooth': 'exp', 'smoothValue': None, "
                + "'effectiveOrder': False, 'maxNGramOrder': 2}",
            "bleu", ["--max-ngram-order", "2"]
        ),
        ("chrf", "whitespace / {'whitespace': True, 'beta': 3}", "chrf", ["--chrf-whitespace", "--chrf-beta", "3"]),
        (
            "chrf", "handwritten / {'whitespace': True, 'eps_smoothing': True, 'lowercase': True}", "chrf",
            ["--chrf-whitespace", "--chrf-eps-smoothing", "--lowercase"]
        ),
        ("chrf", "empty and tiny / {'word_order': 2, 'beta': 1}", "chrf++", ["--chrf-beta", "1"]),
        (
            "ter", "asian / {'normalized': True, 'no_punct': True, 'asian_support': True, 'case_sensitive': True}",
            "ter", ["--ter-normalized", "--ter-no-punct", "--ter-asian-support", "--ter-case-sensitive"]
        ),
        ("ter", "punctuation / {'no_punct': True}", "ter", ["--ter-no-punct"]),
    ]

    @Test(arguments: cases.indices)
    func flagsGiveSacreBLEUsScoreAndSignature(_ index: Int) throws {
        let (fixture, caseName, metric, flags) = Self.cases[index]
        let expected = try Self.expected(fixture, caseName)
        let folder = try TemporaryFolder()
        let path = try folder.write(expected.jsonl, to: "corpus.jsonl").path
        let (status, output) = try runLNTune(
            try #require(lntuneExecutable()), ["score", "--jsonl", path, "--metrics", metric, "--json"] + flags)
        try #require(status == 0, "\(output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let scored = try #require((report["metrics"] as? [[String: Any]])?.first)
        let score = try #require(scored["score"] as? Double)
        #expect(abs(score - expected.score) <= 1e-9 * max(abs(score), abs(expected.score)), "\(score) vs \(expected)")
        #expect(scored["signature"] as? String == expected.signature)
    }

    /// Flags whose value has no meaningful score, and options left out, stop before any file is read.
    @Test(arguments: [
        (["--chrf-beta", "0"], "--chrf-beta"), (["--smooth", "floor", "--smooth-value", "-1"], "--smooth-value"),
        (["--smooth-value", "0.5"], "--smooth-value"), (["--max-ngram-order", "7"], "--max-ngram-order"),
        (["--bootstrap", "10", "--confidence", "1"], "--confidence"),
        (["--bootstrap", "10", "--confidence", "0"], "--confidence"), (["--confidence", "0.9"], "--confidence"),
        (["--split-summaries"], "--split-summaries"),
    ])
    func refusedValuesAreUsageErrors(flags: [String], flag: String) throws {
        let (status, output) = try runLNTune(
            try #require(lntuneExecutable()), ["score", "--jsonl", "missing.jsonl"] + flags)
        #expect(status == 64 && output.contains(flag), "\(flags): \(output)")
        #expect(!output.contains("missing.jsonl"), "\(flags): \(output)")
    }

    /// A level other than 0.95 reaches the bootstrap: the table names it and the signature records it.
    @Test func confidenceReachesTheBootstrap() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write(
            (0..<20).map { #"{"prediction": "a cat \#($0 % 3) sat", "references": ["a cat sat \#($0 % 4)"]}"# }
                .joined(separator: "\n") + "\n", to: "c.jsonl"
        ).path
        let (status, output) = try runLNTune(
            try #require(lntuneExecutable()),
            ["score", "--jsonl", path, "--metrics", "rouge", "--bootstrap", "200", "--confidence", "0.9"])
        #expect(status == 0 && output.contains("90% CI of F") && output.contains("|bs:200|ci:0.9|seed:0"), "\(output)")
    }
}
