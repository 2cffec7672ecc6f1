import Collective
import Datasets
import Decoding
import Foundation

extension DatasetRunRequest {
    /// Dataset mode over several processes (`mpirun -np N lntune generate --input …`): the length-sorted
    /// batches one process would decode (`DatasetGeneration.lengthBatches`) are dealt to the ranks in turn
    /// (batch i to rank i mod N, which spreads long and short prompts), each decodes its batches whole — so every
    /// prediction has the bits one process gives it — and sends its records to rank 0, which writes `out` /
    /// `text` in the data file's order (and returns all records; the others return theirs).
    ///
    /// No journal: an interrupted sharded run starts again (`resume` is refused), and Ctrl-C ends the job.
    public func generate(
        generator: Generator, parameters: GenerateParameters, processes: any Collective,
        progress: GenerationProgress? = nil
    ) throws -> [PredictionRecord] {
        guard !resume else {
            throw LNTuneError.generation(
                .invalidSetting(
                    name: "resume", value: "with \(processes.size) processes",
                    hint: "a sharded run keeps no journal: start it again, or resume it with one process"))
        }
        if processes.isRoot { try checkOutputs(modelFiles: Self.modelFiles(generator)) }
        let (examples, run, prompts) = try preparePrompts(generator: generator, parameters: parameters)

        let batches = DatasetGeneration.lengthBatches(prompts.map(\.count), size: batchSize)
        let mine = Set(
            batches.indices.filter { $0 % processes.size == processes.rank }.flatMap { batches[$0] })
        var done: [IndexedRecord] = []
        var tokens = 0
        progress?.total = mine.count
        _ = try run.decode(examples: examples, prompts: prompts, pending: mine) { batch, newTokens in
            done += batch.map { IndexedRecord(index: $0.index, record: $0.record) }
            tokens += newTokens
            progress?.update(examples: done.count, newTokens: tokens)
        }
        progress?.finish(examples: done.count, newTokens: tokens)
        guard processes.isRoot else {
            try processes.send(bytes: Array(try JSONEncoder().encode(done)), to: 0)
            return done.map(\.record)
        }
        var all = done
        for rank in 1..<processes.size {
            let bytes = try processes.receiveBytes(from: rank)
            all += try JSONDecoder().decode([IndexedRecord].self, from: Data(bytes))
        }
        let records = all.sorted { $0.index < $1.index }.map(\.record)
        guard records.count == examples.count else {
            throw LNTuneError.generation(
                .invalidSetting(
                    name: "ranks", value: String(processes.size),
                    hint: "received \(records.count) predictions for \(examples.count) examples (a bug: please report)"
                ))
        }
        if let out { try PredictionFiles.write(try PredictionFiles.jsonLines(records), to: out) }
        if let text { try PredictionFiles.write(PredictionFiles.textLines(records), to: text) }
        return records
    }
}

/// A prediction with its example's place in the data file, as ranks send them to rank 0.
private struct IndexedRecord: Codable {
    var index: Int
    var record: PredictionRecord
}
