import Datasets
import Decoding
import Foundation
import LNTune
import TestSupport
import Testing

/// A dataset run loses nothing: each batch is journaled before the next starts, a stop request ends the run
/// between batches with the journal kept and no half-written output, and a resumed run writes exactly what an
/// uninterrupted one writes. Resuming is refused with other settings, without a journal, or from a journal
/// that is not this input's; a journal left behind is not silently replaced.
struct DatasetRunJournalTests {
    /// The run under test: the pipeline tests' five examples, two per batch (three batches).
    struct Run {
        let folder: TemporaryFolder
        let generator: Generator
        let parameters: GenerateParameters
        let input: URL

        init() throws {
            folder = try TemporaryFolder()
            input = try folder.write(GeneratePipelineTests.csv, to: "dev.csv")
            generator = try GeneratePipelineTests.generator()
            parameters = try GeneratePipelineTests.parameters(generator, mode: .greedy)
        }

        func request(_ name: String, batchSize: Int = 2, resume: Bool = false) -> DatasetRunRequest {
            DatasetRunRequest(
                task: .e2e, input: input.path, batchSize: batchSize, out: folder.url(for: "\(name).jsonl").path,
                text: folder.url(for: "\(name).txt").path, resume: resume)
        }

        /// Runs `request`, asking it to stop once `stopAfter` progress lines were written.
        func generate(_ request: DatasetRunRequest, stopAfter lines: Int? = nil) throws -> DatasetRunRequest.Outcome {
            let stop = StopRequest()
            var written = 0
            let progress = GenerationProgress(total: 0, terminal: false) { line in
                if line.contains("/5 examples") { written += 1 }
                if let lines, written >= lines { stop.request("test") }
            }
            return try request.generate(generator: generator, parameters: parameters, progress: progress, stop: stop)
        }
    }

    @Test func aStoppedRunKeepsItsBatchesAndResumesToTheUninterruptedResult() throws {
        let run = try Run()
        let straight = try run.generate(run.request("straight"))
        #expect(straight.completed && straight.records.count == 5)
        #expect(!FileManager.default.fileExists(atPath: run.request("straight").journalPath ?? ""))

        let request = run.request("cut")
        let journal = try #require(request.journalPath)
        let stopped = try run.generate(request, stopAfter: 1)
        #expect(!stopped.completed && stopped.records.count == 2 && stopped.examples == 5)
        // The finished batch is on disk (settings line + two records); the outputs are not written yet.
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines[0].contains("lntune_generate"))
        #expect(!FileManager.default.fileExists(atPath: try #require(request.out)))
        #expect(!FileManager.default.fileExists(atPath: try #require(request.text)))

        // A crash in the middle of a write leaves a torn last line: it is dropped and decoded again.
        let handle = try #require(FileHandle(forWritingAtPath: journal))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"id": "e2e-dev-"#.utf8))
        try handle.close()

        // Without --resume the journal is not replaced silently.
        #expect(throws: LNTuneError.generation(.journalExists(path: journal))) { try run.generate(request) }

        let resumed = try run.generate(run.request("cut", resume: true))
        #expect(resumed.completed && resumed.records == straight.records)
        for ext in ["jsonl", "txt"] {
            #expect(
                try Data(contentsOf: run.folder.url(for: "cut.\(ext)"))
                    == Data(contentsOf: run.folder.url(for: "straight.\(ext)")))
        }
        #expect(!FileManager.default.fileExists(atPath: journal))
    }

    @Test func resumingIsRefusedWhenItCannotContinueThisRun() throws {
        let run = try Run()
        let request = run.request("p")
        let journal = try #require(request.journalPath)
        #expect(throws: LNTuneError.generation(.nothingToResume(path: journal))) {
            try run.generate(run.request("p", resume: true))
        }
        _ = try run.generate(request, stopAfter: 1)
        #expect {
            try run.generate(run.request("p", batchSize: 3, resume: true))
        } throws: { error in
            guard case .generation(.resumeMismatch(journal, let differences))? = error as? LNTuneError else {
                return false
            }
            return differences.count == 1 && differences[0].hasPrefix("batch size: 3 now, 2 ")
        }
        // A record of an example the input does not have: the journal is another run's.
        var text = try String(contentsOfFile: journal, encoding: .utf8)
        text += #"{"id":"elsewhere-1","prediction":"x","references":[],"source":"s","token_ids":[]}"# + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: journal))
        #expect {
            try run.generate(run.request("p", resume: true))
        } throws: { error in
            guard case .generation(.badJournal(journal, 4, _))? = error as? LNTuneError else { return false }
            return true
        }
    }

    /// Outputs are checked before any example is decoded: a folder in the way, a missing folder, a place where
    /// no file can be created, and an output that is an input.
    @Test func unusableOutputsAreFoundBeforeAnyWork() throws {
        let run = try Run()
        try FileManager.default.createDirectory(at: run.folder.url(for: "taken"), withIntermediateDirectories: true)
        let blocker = try run.folder.write(Array("x".utf8), to: "plain-file")
        let outputs = [
            run.folder.url(for: "taken").path, run.folder.url(for: "no/such/folder/p.jsonl").path,
            blocker.appendingPathComponent("p.jsonl").path,
        ]
        for out in outputs {
            var decoded = 0
            let progress = GenerationProgress(total: 0, terminal: false) { _ in decoded += 1 }
            let request = DatasetRunRequest(task: .e2e, input: run.input.path, out: out)
            #expect(throws: LNTuneError.self) {
                try request.generate(generator: run.generator, parameters: run.parameters, progress: progress)
            }
            #expect(decoded == 0, "\(out)")
        }
        let same = DatasetRunRequest(
            task: .e2e, input: run.input.path, out: run.folder.url.path + "/./dev.csv", overwrite: true)
        #expect(throws: LNTuneError.self) { try same.checkOutputs() }
        #expect(try Data(contentsOf: run.input) == Data(GeneratePipelineTests.csv.utf8))
    }
}
