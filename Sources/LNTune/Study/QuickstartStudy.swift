import Foundation

extension Quickstart {
    /// Test MRs the study decodes (few, so that it adds seconds, not minutes, to the quickstart).
    static let studyTestExamples = 16
    /// Peak learning rates for such short runs of the bundled model (Prefix-Tuning's default 5e-5 is for
    /// thousands of steps on GPT-2).
    static let studyLearningRates = ["ln": 2e-2, "prefix": 5e-3, "prefix+ln": 5e-3]

    /// The quickstart's last step: `lntune study` in small — each method trained for a few steps on the same
    /// data, the first test MRs decoded and scored, the table printed and `OUT/study/report.html` written.
    /// Earlier quickstart results are discarded, so every quickstart measures afresh.
    func study(model: String, files: [URL], stop: StopRequest) throws -> StudyOutcome {
        let out = URL(fileURLWithPath: options.out).appendingPathComponent("study")
        let settings = StudySettings(
            model: model, task: "e2e", train: files[0].path, dev: files[1].path, test: files[2].path,
            methods: options.studyMethods, seeds: [1], maxSteps: options.studySteps,
            learningRates: Self.studyLearningRates.filter { options.studyMethods.contains($0.key) },
            batchSize: options.batchSize, evalEvery: max(1, options.studySteps / 2),
            testExamples: min(options.testExamples ?? Self.studyTestExamples, Self.studyTestExamples),
            maxNewTokens: options.maxNewTokens, out: out.path)
        let study = try Study(settings: settings, overwrite: true)
        try study.discardResults()
        let outcome = try study.run(stop: stop, observer: StudyProgressPrinter(printer: printer).handle)
        printer.line("\n" + outcome.table.markdown())
        printer.line("report: \(outcome.files.report.path) (open it in a browser)")
        return outcome
    }
}

extension Study {
    /// Forgets the results and run records of the planned runs, so that `run` trains and scores each one
    /// again (their other files are replaced as the runs go).
    public func discardResults() throws {
        for run in plan.runs {
            let folder = RunFolder(run.training.out)
            for file in [folder.url.appendingPathComponent(StudyRunResult.fileName), folder.runRecord]
            where FileManager.default.fileExists(atPath: file.path) {
                do {
                    try FileManager.default.removeItem(at: file)
                } catch {
                    throw LNTuneError.io(path: file.path, reason: "cannot remove it (\(error.localizedDescription))")
                }
            }
        }
    }
}
