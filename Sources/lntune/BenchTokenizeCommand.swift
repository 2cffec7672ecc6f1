import ArgumentParser
import Foundation
import LNTune
import Tokenizers

/// `lntune bench tokenize`: encode throughput in MB/s of UTF-8 input (figures for eval/BENCHMARKS.md).
struct BenchTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Measure encode throughput (MB/s) of the GPT-2 tokenizer.",
        discussion: """
            Inputs are text files (one example per line) or .json files holding an array of strings. \
            'cold' is the first pass of a freshly loaded tokenizer (empty word cache); 'best' is the best \
            of --repeats further passes.
            """)

    @Option(help: "Tokenizer folder (vocab.json + merges.txt) or a .tiktoken rank file.")
    var tokenizer: String

    @Option(parsing: .upToNextOption, help: "Input files.")
    var input: [String]

    @Option(help: "Encoding threads: 1 (encode per text) or more (encodeBatch).")
    var threads = 1

    @Option(help: "Timed passes after the cold one.")
    var repeats = 5

    func validate() throws {
        guard !input.isEmpty else { throw ValidationError("give at least one --input file") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        var texts: [String] = []
        for path in input {
            let (bytes, source) = try LineInput.read(path: path)
            if path.hasSuffix(".json") {
                do {
                    texts += try JSONDecoder().decode([String].self, from: Data(bytes))
                } catch {
                    throw ValidationError("\(source): expected a JSON array of strings (\(error))")
                }
            } else {
                texts += try LineInput.textLines(bytes, source: source)
            }
        }
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        let loadStart = DispatchTime.now()
        let tokenizer = try GPT2Tokenizer.load(URL(fileURLWithPath: self.tokenizer))
        let loadSeconds = seconds(since: loadStart)

        func pass() throws -> (seconds: Double, cpu: Double, tokens: Int) {
            let start = DispatchTime.now()
            let cpuStart = processCPUSeconds()
            let encoded = try tokenizer.encodeBatch(texts, special: .allow, threads: threads)
            return (seconds(since: start), processCPUSeconds() - cpuStart, encoded.reduce(0) { $0 + $1.count })
        }
        let cold = try pass()
        var best = Double.infinity
        var bestCPU = Double.infinity
        for _ in 0..<repeats {
            let timing = try pass()
            best = min(best, timing.seconds)
            bestCPU = min(bestCPU, timing.cpu)
        }

        let megabytes = Double(bytes) / 1e6
        print("tokenizer: \(self.tokenizer) (loaded in \(format(loadSeconds * 1000)) ms)")
        print("input: \(input.count) file(s), \(texts.count) texts, \(bytes) bytes, \(cold.tokens) tokens")
        print("threads: \(threads)")
        print("cold: \(format(megabytes / cold.seconds)) MB/s")
        print("best: \(format(megabytes / best)) MB/s (of \(repeats))")
        // Process CPU time is steadier than wall time on a shared machine (all threads counted).
        print("cpu: \(format(megabytes / bestCPU)) MB per CPU-second")
    }

    private func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
