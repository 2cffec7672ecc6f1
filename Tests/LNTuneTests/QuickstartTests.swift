import Foundation
import LNTune
import Testing
import TestSupport
import Tuning

/// The quickstart pipeline end to end on a few rows: it tunes the bundled model, writes untuned and tuned
/// predictions for each test MR, scores both, and prints all five steps. (The full-size run is what
/// `lntune quickstart` does; its figures are in eval/BENCHMARKS.md.)
@Test func quickstartRunsEveryStep() throws {
    _ = try #require(
        TrainingFixture.bundledModel, "data/tiny-model is missing; rebuild it with eval/make_tiny_model.py")
    let folder = try TemporaryFolder()
    let data = try TrainingFixture.quickstartData(in: folder.url)
    let log = folder.url.appendingPathComponent("quickstart.log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    let out = folder.url.appendingPathComponent("out")
    let options = Quickstart.Options(
        data: data.path, out: out.path, epochs: 1, batchSize: 4, testExamples: 2, maxNewTokens: 12)
    let result = try Quickstart(options: options, printer: ProgressPrinter(output: handle, interactive: false)).run()
    try handle.close()

    #expect(result.training.status == .completed && result.training.completedSteps == 2)
    #expect(result.untuned.bleu.isFinite && result.tuned.bleu.isFinite)
    #expect((0...1).contains(result.untuned.rougeL) && (0...1).contains(result.tuned.rougeL))
    for name in ["predictions_untuned.jsonl", "predictions_tuned.jsonl"] {
        let lines = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.contains(#""prediction":"#) && $0.contains(#""references":["#) })
    }
    let printed = try String(contentsOf: log, encoding: .utf8)
    for step in 1...5 { #expect(printed.contains("[\(step)/5]")) }
    #expect(printed.contains("dev loss before tuning"))
    #expect(printed.contains(LNTuning().name))
}
