import Foundation
import LNTune
import TestSupport
import Testing

/// The quickstart's closing study: each named method trains on the same sample, the first test MRs are
/// decoded and scored, and the table and the report's path are printed as step 6 of 6. A second quickstart
/// measures afresh instead of reusing the first one's results.
@Test func quickstartEndsWithAStudy() throws {
    _ = try #require(
        TrainingFixture.bundledModel, "data/tiny-model is missing; rebuild it with eval/make_tiny_model.py")
    let folder = try TemporaryFolder()
    let data = try TrainingFixture.quickstartData(in: folder.url)
    let log = folder.url.appendingPathComponent("quickstart.log")
    let out = folder.url.appendingPathComponent("out")
    let options = Quickstart.Options(
        data: data.path, out: out.path, epochs: 1, batchSize: 4, testExamples: 2, maxNewTokens: 8,
        studyMethods: ["ln", "prefix"], studySteps: 2)
    for round in 1...2 {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let result = try Quickstart(options: options, printer: ProgressPrinter(output: handle, interactive: false))
            .run()
        try handle.close()
        let study = try #require(result.study)
        #expect(study.results.map(\.configuration) == ["ln", "prefix"])
        #expect(study.results.allSatisfy { $0.testExamples == 2 && $0.testMetrics["bleu"]?.isFinite == true })
        let printed = try String(contentsOf: log, encoding: .utf8)
        for step in 1...6 { #expect(printed.contains("[\(step)/6]")) }
        #expect(printed.contains("### Study results") && printed.contains(study.files.report.path))
        #expect(!printed.contains("skipped"), "round \(round) reused results")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("study/report.html").path))
    }
}
