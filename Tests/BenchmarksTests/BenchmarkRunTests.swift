import Benchmarks
import Foundation
import GPT2
import LNTune
import Testing
import TestSupport

/// Each benchmark runs end to end on something tiny and reports sane fields: positive counts, finite
/// positive times, the JSON field names the eval/ scripts read. No assertion on how fast anything is.
struct BenchmarkRunTests {
    static let config = GPT2Config(vocabSize: 64, nPositions: 16, nEmbd: 16, nLayer: 2, nHead: 2, eosTokenId: 63)

    static func isSaneSeconds(_ seconds: Double) -> Bool { seconds.isFinite && seconds > 0 }

    static func jsonObject(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// The forward report keeps eval/bench_forward.py's field names.
    @Test func forwardReportHasTheScriptsFields() throws {
        let model = try ModelBenchmark.randomModel(Self.config)
        let all = try ModelBenchmark.forward(model: model, batchSize: 2, seqLen: 8, repeats: 2)
        let last = try ModelBenchmark.forward(model: model, batchSize: 2, seqLen: 8, rows: .last, repeats: 1)
        #expect(all.allSeconds.count == 2 && Self.isSaneSeconds(all.bestSeconds))
        let report = ModelBenchReport(
            benchmark: "forward", config: "tiny", batchSize: 2, seqLen: 8, result: all,
            lastPositionOnlyTokensPerSecond: last.tokensPerSecond)
        let object = try Self.jsonObject(report.json)
        for key in [
            "benchmark", "config", "batch", "seq", "tokens_per_second", "best_seconds", "all_seconds", "cpu_seconds",
            "gemm_seconds", "gemm_cpu_seconds", "peak_memory_mib", "last_position_only_tokens_per_second",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["batch"] as? Int == 2 && object["seq"] as? Int == 8)
        #expect((object["tokens_per_second"] as? Double).map { $0 > 0 } == true)
        #expect(report.text.hasPrefix("forward GPT-2 tiny, B=2 T=8: "))
    }

    @Test func trainStepRunsAndRejectsOneTokenRows() throws {
        let model = try ModelBenchmark.randomModel(Self.config)
        let result = try ModelBenchmark.trainStep(model: model, batchSize: 2, seqLen: 8, repeats: 1)
        #expect(Self.isSaneSeconds(result.bestSeconds) && result.gemmSeconds >= 0 && result.peakMemoryMiB > 0)
        #expect(throws: BenchmarkError.self) { try ModelBenchmark.trainStep(model: model, batchSize: 2, seqLen: 1) }
    }

    /// Greedy, two beam modes and the full-sort comparison, then the two modes with a real forward.
    @Test func decodingReportsEveryMode() throws {
        var results = try DecodingBenchmark.run(vocabularySize: 40, prompts: 2, numBeams: 2, newTokens: 3, repeats: 1)
        results += try DecodingBenchmark.runWithModel(
            config: Self.config, prompts: 2, numBeams: 2, newTokens: 3, repeats: 1)
        #expect(results.map(\.rows) == [2, 4, 4, 4, 2, 4])
        #expect(results.allSatisfy { $0.millisecondsPerStep > 0 })
        #expect(DecodingBenchmark.table(results).split(separator: "\n").count == 2 + results.count)
        #expect(throws: BenchmarkError.self) { try DecodingBenchmark.run(vocabularySize: 3, numBeams: 2) }
    }

    /// JSON lines with eval/bench_generate.py's field names.
    @Test func generateRowsHaveTheScriptsFields() throws {
        let model = try ModelBenchmark.randomModel(Self.config)
        let rows = try GenerateBenchmark.run(
            model: model, promptLength: 3, newTokens: 4, batchSize: 2, numBeams: 2, repeats: 1)
        #expect(rows.map(\.mode) == ["greedy", "greedy", "beam-2"] && rows.map(\.prompts) == [1, 2, 1])
        #expect(rows.map(\.newTokens) == [4, 8, 4])
        let lines = GenerateBenchmark.format(rows, json: true).split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let object = try Self.jsonObject(String(line))
            #expect(Set(object.keys) == ["mode", "prompts", "new_tokens", "seconds", "tokens_per_s"])
        }
    }

    /// fp32 and bf16 greedy on the same weights: one row each, the agreement bounded by the tokens made.
    @Test func precisionComparisonHasBothRowsAndAnAgreement() throws {
        let parameters = GPT2Parameters.random(config: Self.config, seed: 3)
        let comparison = try GenerateBenchmark.comparePrecisions(
            parameters: parameters, promptLength: 3, newTokens: 5, repeats: 1)
        #expect(comparison.rows.map(\.mode) == ["greedy fp32", "greedy bf16"])
        #expect(comparison.rows.allSatisfy { $0.newTokens == 5 && Self.isSaneSeconds($0.seconds) })
        #expect((0...5).contains(comparison.idsEqualUpTo))
        #expect(comparison.bf16Speedup.isFinite && comparison.bf16Speedup > 0)
        let object = try Self.jsonObject(GenerateBenchmark.format(comparison, json: true))
        #expect(Set(object.keys) == ["rows", "bf16_speedup", "ids_equal_up_to", "bf16_backend"])
        #expect(GenerateBenchmark.format(comparison, json: false).contains("greedy ids equal for the first"))
    }

    /// OpenBLAS against oneDNN: a forward and an input-gradient row per product, each naming the faster one.
    @Test func gemmBackendsRowsNameTheFasterBackend() throws {
        let rows = try GEMMBackendBenchmark.run(config: Self.config, rows: 64, repeats: 1)
        #expect(rows.count == 10 && rows.first?.product == "qkv forward" && rows.last?.product == "head input-gradient")
        for row in rows {
            #expect(row.openBLASGflops > 0 && row.oneDNNGflops > 0 && !row.oneDNNKernel.isEmpty)
            #expect(row.faster == (row.openBLASGflops >= row.oneDNNGflops ? "openblas" : "onednn"))
        }
        #expect(rows[0].m == 64 && rows[0].k == 16 && rows[0].n == 48 && rows[1].k == 48 && rows[1].n == 16)
        let object = try Self.jsonObject(
            String(GEMMBackendBenchmark.format(rows, json: true).split(separator: "\n")[0]))
        #expect(object["openblas_gflops"] != nil && object["onednn_kernel"] != nil)
        #expect(throws: BenchmarkError.self) { try GEMMBackendBenchmark.run(config: Self.config, rows: 8) }
    }

    @Test(arguments: ["ln", "prefix+ln"])
    func tuneComparesStepWithBareMath(_ method: String) throws {
        let configuration = try TuningMethods.configuration(
            named: method, arguments: method.hasPrefix("prefix") ? ["--prefix-length", "2"] : [])
        let model = try ModelBenchmark.randomModel(Self.config)
        let result = try TuneBenchmark.run(
            model: model, configuration: configuration, batchSize: 2, seqLen: 6, repeats: 2)
        #expect(result.bare.runs.count == 2 && result.step.runs.count == 2)
        #expect(result.optimizerStateFloats > 0 && result.tokensPerStep == 12)
        #expect(result.text.contains("Tuner.step:"))
    }

    @Test func loadTimesTheTinyCheckpoint() throws {
        let result = try LoadBenchmark.run(folder: Fixtures.url("tiny-gpt2"), repeats: 2)
        #expect(result.weightsBytes > 0 && result.checkpoint != nil)
        #expect(result.read.runs.count == 2 && result.open.runs.count == 2 && result.load.runs.count == 2)
        let empty = try TemporaryFolder()
        #expect(throws: BenchmarkError.self) { try LoadBenchmark.run(folder: empty.url) }
    }

    @Test func dataCountsTheSampleSet() throws {
        let file = Fixtures.repositoryRoot.appendingPathComponent("data/sample/dev.csv")
        let result = try DataBenchmark.run(task: .e2e, file: file, batchSize: 4, repeats: 1)
        #expect(result.bestSeconds.count == 3 && result.bestSeconds.allSatisfy { $0 >= 0 && $0.isFinite })
        #expect(result.summary.contains("examples"))
    }

    /// The `cold:`, `best:` and `cpu:` lines eval/bench_tokenize.py reads; a .json input must hold strings.
    @Test func tokenizerReportsTheScriptsLines() throws {
        let folder = try TemporaryFolder()
        let input = folder.url.appendingPathComponent("texts.json")
        try Data(#"["The Eagle serves French food.", "A pub near the river."]"#.utf8).write(to: input)
        let texts = try TokenizerBenchmark.texts(paths: [input.path])
        #expect(texts.count == 2)
        let result = try TokenizerBenchmark.run(
            tokenizerPath: Fixtures.url("tiny-bpe").path, texts: texts, files: 1, repeats: 2)
        #expect(result.tokens > 0 && result.warm.runs.count == 2)
        for prefix in ["cold: ", "best: ", "cpu: "] {
            #expect(result.text.split(separator: "\n").contains { $0.hasPrefix(prefix) && $0.contains("MB") })
        }
        let bad = folder.url.appendingPathComponent("bad.json")
        try Data("[1, 2]".utf8).write(to: bad)
        #expect(throws: BenchmarkError.self) { try TokenizerBenchmark.texts(paths: [bad.path]) }
    }

    /// Rows with eval/bench_metrics.py's field names; the JSON array follows the pretty-printed layout.
    @Test func scoreRowsHaveTheScriptsFields() throws {
        let corpus = try ScoringCorpus(
            hypotheses: ["the cat sat on the mat", "a dog ran"], references: [["the cat sat on a mat"], ["a dog ran"]])
        let rows = try ScoreBenchmark.Metric.allCases.map {
            try ScoreBenchmark.run($0, on: corpus, named: "tiny", repeats: 2)
        }
        #expect(rows.map(\.metric) == ["bleu", "rouge-stem"] && rows.allSatisfy { $0.segments == 2 && $0.score > 0 })
        let json = try ScoreBenchmark.format(rows, json: true, repeats: 2)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(
            array.map { Set($0.keys) }
                == Array(repeating: ["corpus", "metric", "segments", "seconds", "score"], count: 2))
    }

    /// The random initialisation is a pure function of the seed, with LayerNorm gains near 1.
    @Test func randomParametersDependOnlyOnTheSeed() {
        let a = GPT2Parameters.random(config: Self.config, seed: 5)
        let b = GPT2Parameters.random(config: Self.config, seed: 5)
        let c = GPT2Parameters.random(config: Self.config, seed: 6)
        let values = { (p: GPT2Parameters) in Array(UnsafeBufferPointer(start: p.base, count: p.count)) }
        #expect(values(a) == values(b) && values(a) != values(c))
        #expect(a[.finalNormWeight].allSatisfy { abs($0 - 1) <= 0.05 })
    }
}
