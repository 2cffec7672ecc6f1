import Foundation
import Metrics
import TestSupport
import Testing
import TextIO

struct ScoringInputTests {
    /// Lines split at LF with CRLF read as LF (a trailing newline adds no line; a lone "\r" stays text).
    @Test func parallelFilesPairLineByLine() throws {
        let s = try TemporaryFolder()
        let corpus = try ScoringCorpus.parallel(
            hypothesisPath: s.write("a b\r\n\r\nc\rd\n", to: "hyp").path,
            referencePaths: [s.write("a b\nx\nc\n", to: "r1").path, s.write("b\n\nc d", to: "r2").path])
        #expect(corpus.hypotheses == ["a b", "", "c\rd"])
        #expect(corpus.references == [["a b", "b"], ["x", ""], ["c", "c d"]])
    }

    /// Every scoring layout reads a CRLF file as its LF copy: no "\r" reaches a metric.
    @Test func crlfInputsScoreAsLF() throws {
        let s = try TemporaryFolder()
        func both(_ name: String, _ text: String) throws -> (lf: String, crlf: String) {
            (
                try s.write(text, to: name).path,
                try s.write(text.replacingOccurrences(of: "\n", with: "\r\n"), to: name + "-crlf").path
            )
        }
        let hyp = try both("hyp", "the cat\na dog\n"), ref = try both("ref", "the cat sat\nthe dog\n")
        let grouped = try both("grouped", "the cat sat\nthe cat\n\nthe dog\n")
        let jsonl = try both("p.jsonl", "{\"prediction\": \"x\", \"references\": [\"y\"]}\n\n")
        #expect(
            try ScoringCorpus.parallel(hypothesisPath: hyp.crlf, referencePaths: [ref.crlf])
                == ScoringCorpus.parallel(hypothesisPath: hyp.lf, referencePaths: [ref.lf]))
        #expect(
            try ScoringCorpus.grouped(hypothesisPath: hyp.crlf, groupedPath: grouped.crlf)
                == ScoringCorpus.grouped(hypothesisPath: hyp.lf, groupedPath: grouped.lf))
        #expect(try ScoringCorpus.jsonl(path: jsonl.crlf) == ScoringCorpus.jsonl(path: jsonl.lf))
    }

    /// A reference file with another line count is named with both counts.
    @Test func lineCountMismatchNamesBothFiles() throws {
        let s = try TemporaryFolder()
        let hyp = try s.write("a\nb\n", to: "hyp").path, ref = try s.write("a\n", to: "ref").path
        #expect(throws: MetricsError.lineCountMismatch(path: ref, lines: 1, expectedPath: hyp, expected: 2)) {
            try ScoringCorpus.parallel(hypothesisPath: hyp, referencePaths: [ref])
        }
    }

    /// Empty and missing files are errors that name the path.
    @Test func emptyAndMissingFiles() throws {
        let s = try TemporaryFolder()
        let empty = try s.write("", to: "empty").path
        #expect(throws: MetricsError.emptyFile(path: empty)) { try lines(empty) }
        let missing = s.url(for: "nope").path
        do {
            _ = try lines(missing)
            Issue.record("reading a missing file succeeded")
        } catch let error as MetricsError {
            guard case .input(.unreadable(let path, _)) = error else { throw error }
            #expect(path == missing)
        }
    }

    /// The hypothesis lines of `path`, read as every scoring layout reads its files.
    private func lines(_ path: String) throws -> [String] {
        try ScoringCorpus.parallel(hypothesisPath: path, referencePaths: [path]).hypotheses
    }

    /// Invalid UTF-8 is reported with its line and byte column (the cases themselves are TextIO's tests).
    @Test func invalidUTF8IsLocated() throws {
        let s = try TemporaryFolder()
        let path = try s.write([0x61, 0x0A, 0x62, 0x80], to: "bad").path
        #expect(throws: MetricsError.input(.invalidUTF8(file: path, line: 2, column: 2, byte: 0x80))) {
            try lines(path)
        }
        #expect(try lines(s.write("£20 — 日本 😀\nΣ", to: "ok").path) == ["£20 — 日本 😀", "Σ"])
    }

    /// The e2e-metrics layout: stripped lines, blank-line separated groups, trailing blank ignored.
    @Test func groupedReferences() throws {
        let s = try TemporaryFolder()
        let hyp = try s.write("h1\nh2\n", to: "hyp").path
        let corpus = try ScoringCorpus.grouped(
            hypothesisPath: hyp, groupedPath: s.write(" a \nb\n\nc\n\n", to: "refs").path)
        #expect(corpus.references == [["a", "b"], ["c"]])
        // Without blank lines, every line is one instance's single reference (as e2e-metrics reads it).
        let single = try ScoringCorpus.grouped(hypothesisPath: hyp, groupedPath: s.write("x\ny\n", to: "single").path)
        #expect(single.references == [["x"], ["y"]])
        let doubled = try s.write("a\n\n\nc\n", to: "doubled").path
        #expect(throws: MetricsError.self) { try ScoringCorpus.grouped(hypothesisPath: hyp, groupedPath: doubled) }
        let three = try s.write("a\n\nb\n\nc\n", to: "three").path
        #expect(throws: MetricsError.lineCountMismatch(path: three, lines: 3, expectedPath: hyp, expected: 2)) {
            try ScoringCorpus.grouped(hypothesisPath: hyp, groupedPath: three)
        }
    }

    /// JSON Lines with `prediction` and `references`; a bad line is named by number.
    @Test func jsonlPredictions() throws {
        let s = try TemporaryFolder()
        let good = try s.write(
            "{\"prediction\": \"a b\", \"references\": [\"a\", \"b c\"], \"id\": 3}\n\n"
                + "{\"references\": [\"x\"], \"prediction\": \"é\"}\n", to: "p.jsonl"
        ).path
        let corpus = try ScoringCorpus.jsonl(path: good)
        #expect(corpus.hypotheses == ["a b", "é"])
        #expect(corpus.references == [["a", "b c"], ["x"]])
        for (name, text, line) in [
            ("missing", "{\"prediction\": \"a\", \"references\": [\"a\"]}\n{\"prediction\": \"b\"}\n", 2),
            ("type", "{\"prediction\": 1, \"references\": [\"a\"]}\n", 1),
            ("syntax", "{\"prediction\": \"a\", \"references\": [\"a\"]}\n\n{oops\n", 3),
            ("noref", "{\"prediction\": \"a\", \"references\": []}\n", 1),
        ] {
            let path = try s.write(text, to: name).path
            do {
                _ = try ScoringCorpus.jsonl(path: path)
                Issue.record("\(name): accepted")
            } catch let MetricsError.malformedLine(p, l, _), let MetricsError.input(.malformedJSON(p, l, _, _)) {
                #expect(p == path && l == line, "\(name)")
            }
        }
    }

    /// The scorer runs every metric and reports sacreBLEU's signature for BLEU; JSON round-trips.
    @Test func scorerReportsEveryMetric() throws {
        let corpus = try ScoringCorpus(
            hypotheses: ["the cat sat on the mat", "a dog"],
            references: [["the cat is on the mat"], ["a dog", "the dog"]])
        let report = try Scorer.score(
            corpus, options: ScoringOptions(metrics: MetricName.allCases, perExample: true, bootstrapSamples: 100))
        #expect(
            report.metrics.map(\.name) == [
                "BLEU", "rouge1", "rouge2", "rougeL", "rougeLsum", "NIST", "CIDEr", "TER", "chrF2", "chrF2++",
            ])
        #expect(report.metrics[0].signature == "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0")
        let bleu = try BLEU().corpusScore(hypotheses: corpus.hypotheses, references: corpus.references)
        #expect(report.metrics[0].score == bleu.score)
        #expect(report.perExample?.count == 2 && close(report.perExample?[1]["bleu"] ?? 0, 100))
        let decoded = try JSONDecoder().decode(ScoreReport.self, from: Data(try report.json().utf8))
        #expect(decoded == report)
        #expect(report.table().contains("BLEU"))
        #expect(throws: MetricsError.self) { try MetricName.parseList("bleu,meteor") }
        #expect(try MetricName.parseList("bleu, ROUGE,chrf++") == [.bleu, .rouge, .chrfPlusPlus])
    }

    /// A metric list that would run something other than what was asked is refused with the reason: empty,
    /// an empty name between commas, a name twice (in any letter case).
    @Test(arguments: ["", "  ", "bleu,,rouge", "bleu,", ",bleu", "bleu,BLEU", "rouge, rouge"])
    func metricListsThatMisleadAreRefused(list: String) {
        #expect {
            try MetricName.parseList(list)
        } throws: { error in
            guard case .invalidOption(_, _, let hint)? = error as? MetricsError else { return false }
            return hint.contains("empty") || hint.contains("twice")
        }
    }

    /// A pair too long for an alignment table (ROUGE-L, TER) is refused naming the segment and the metric,
    /// instead of running for hours and allocating terabytes; the linear metrics still score it.
    @Test func segmentsTooLongToAlignAreRefused() throws {
        let long = Array(repeating: "word", count: 8000).joined(separator: " ")
        let corpus = try ScoringCorpus(hypotheses: ["short", long], references: [["short"], [long]])
        for metric in [MetricName.rouge, .ter] {
            #expect(
                throws: MetricsError.segmentTooLong(
                    segment: 1, metric: metric, hypothesisTokens: 8000, referenceTokens: 8000)
            ) {
                try Scorer.score(corpus, options: ScoringOptions(metrics: [metric]))
            }
        }
        let linear = try Scorer.score(corpus, options: ScoringOptions(metrics: [.bleu, .chrf]))
        #expect(linear.metrics.count == 2)
    }

    /// The bootstrap reports its progress, ending at the total.
    @Test func bootstrapReportsProgress() throws {
        var seen: [Int] = []
        _ = try Bootstrap.interval(
            [[1], [0], [1]], samples: 250,
            progress: { done, total in
                #expect(total == 250)
                seen.append(done)
            })
        #expect(seen.last == 250 && seen == seen.sorted() && seen.count <= 250 && seen.count >= 100)
    }
}
