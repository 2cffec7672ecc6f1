import Foundation
import Metrics
import Testing

/// Writes files into a fresh temporary folder and removes it afterwards.
private final class Scratch {
    let folder: URL
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: folder) }

    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
    func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }
}

struct ScoringInputTests {
    /// Lines split on "\n" only (a trailing newline adds no line; "\r" stays, as sacreBLEU reads files).
    @Test func parallelFilesPairLineByLine() throws {
        let s = try Scratch()
        let corpus = try ScoringCorpus.parallel(
            hypothesisPath: s.file("hyp", "a b\r\n\nc\n"),
            referencePaths: [s.file("r1", "a b\nx\nc\n"), s.file("r2", "b\n\nc d")])
        #expect(corpus.hypotheses == ["a b\r", "", "c"])
        #expect(corpus.references == [["a b", "b"], ["x", ""], ["c", "c d"]])
    }

    /// A reference file with another line count is named with both counts.
    @Test func lineCountMismatchNamesBothFiles() throws {
        let s = try Scratch()
        let hyp = try s.file("hyp", "a\nb\n"), ref = try s.file("ref", "a\n")
        #expect(throws: MetricsError.lineCountMismatch(path: ref, lines: 1, expectedPath: hyp, expected: 2)) {
            try ScoringCorpus.parallel(hypothesisPath: hyp, referencePaths: [ref])
        }
    }

    /// Empty and missing files are errors that name the path.
    @Test func emptyAndMissingFiles() throws {
        let s = try Scratch()
        let empty = try s.file("empty", "")
        #expect(throws: MetricsError.emptyFile(path: empty)) { try TextFile.lines(atPath: empty) }
        let missing = s.folder.appendingPathComponent("nope").path
        do {
            _ = try TextFile.lines(atPath: missing)
            Issue.record("reading a missing file succeeded")
        } catch let error as MetricsError {
            guard case .unreadable(let path, _) = error else { throw error }
            #expect(path == missing)
        }
    }

    /// Invalid UTF-8 — a stray continuation byte, an overlong form, an encoded surrogate, a truncated
    /// sequence — is reported with its line and byte column.
    @Test(arguments: [
        ([0x61, 0x0A, 0x62, 0x80], 2, 2), ([0xC0, 0xAF], 1, 1), ([0x0A, 0x0A, 0x78, 0xED, 0xA0, 0x80], 3, 2),
        ([0x61, 0x62, 0x63, 0xE2, 0x82], 1, 4), ([0xF4, 0x90, 0x80, 0x80], 1, 1),
    ] as [([UInt8], Int, Int)])
    func invalidUTF8IsLocated(_ bytes: [UInt8], line: Int, column: Int) throws {
        let s = try Scratch()
        let path = try s.file("bad", bytes)
        #expect(throws: MetricsError.invalidUTF8(path: path, line: line, column: column)) {
            try TextFile.lines(atPath: path)
        }
    }

    /// Valid multi-byte text (2-, 3- and 4-byte sequences) passes unchanged.
    @Test func validUTF8RoundTrips() throws {
        let s = try Scratch()
        #expect(try TextFile.lines(atPath: s.file("ok", "£20 — 日本 😀\nΣ")) == ["£20 — 日本 😀", "Σ"])
    }

    /// The e2e-metrics layout: stripped lines, blank-line separated groups, trailing blank ignored.
    @Test func groupedReferences() throws {
        let s = try Scratch()
        let hyp = try s.file("hyp", "h1\nh2\n")
        let corpus = try ScoringCorpus.grouped(
            hypothesisPath: hyp, groupedPath: s.file("refs", " a \nb\n\nc\n\n"))
        #expect(corpus.references == [["a", "b"], ["c"]])
        // Without blank lines, every line is one instance's single reference (as e2e-metrics reads it).
        let single = try ScoringCorpus.grouped(hypothesisPath: hyp, groupedPath: s.file("single", "x\ny\n"))
        #expect(single.references == [["x"], ["y"]])
        let doubled = try s.file("doubled", "a\n\n\nc\n")
        #expect(throws: MetricsError.self) { try ScoringCorpus.grouped(hypothesisPath: hyp, groupedPath: doubled) }
        let three = try s.file("three", "a\n\nb\n\nc\n")
        #expect(throws: MetricsError.lineCountMismatch(path: three, lines: 3, expectedPath: hyp, expected: 2)) {
            try ScoringCorpus.grouped(hypothesisPath: hyp, groupedPath: three)
        }
    }

    /// JSON Lines with `prediction` and `references`; a bad line is named by number.
    @Test func jsonlPredictions() throws {
        let s = try Scratch()
        let good = try s.file("p.jsonl", "{\"prediction\": \"a b\", \"references\": [\"a\", \"b c\"], \"id\": 3}\n\n"
            + "{\"references\": [\"x\"], \"prediction\": \"é\"}\n")
        let corpus = try ScoringCorpus.jsonl(path: good)
        #expect(corpus.hypotheses == ["a b", "é"])
        #expect(corpus.references == [["a", "b c"], ["x"]])
        for (name, text, line) in [
            ("missing", "{\"prediction\": \"a\", \"references\": [\"a\"]}\n{\"prediction\": \"b\"}\n", 2),
            ("type", "{\"prediction\": 1, \"references\": [\"a\"]}\n", 1),
            ("syntax", "{\"prediction\": \"a\", \"references\": [\"a\"]}\n\n{oops\n", 3),
            ("noref", "{\"prediction\": \"a\", \"references\": []}\n", 1),
        ] {
            let path = try s.file(name, text)
            do {
                _ = try ScoringCorpus.jsonl(path: path)
                Issue.record("\(name): accepted")
            } catch let MetricsError.malformedLine(p, l, _) {
                #expect(p == path && l == line, "\(name)")
            }
        }
    }

    /// The scorer runs every metric and reports sacreBLEU's signature for BLEU; JSON round-trips.
    @Test func scorerReportsEveryMetric() throws {
        let corpus = try ScoringCorpus(
            hypotheses: ["the cat sat on the mat", "a dog"], references: [["the cat is on the mat"], ["a dog", "the dog"]])
        let report = try Scorer.score(
            corpus, options: ScoringOptions(metrics: MetricName.allCases, perExample: true, bootstrapSamples: 100))
        #expect(report.metrics.map(\.name) == ["BLEU", "rouge1", "rouge2", "rougeL", "rougeLsum", "NIST", "CIDEr", "TER", "chrF2", "chrF2++"])
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
}
