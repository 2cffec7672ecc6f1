import Datasets
import Decoding
import Foundation
import TextIO

/// What decides a dataset run's predictions; a run resumes only with the same settings.
public struct DatasetRunSettings: Codable, Sendable, Equatable {
    public var model: String
    public var tokenizer: String
    public var adapter: String?
    public var task: String
    public var input: String
    public var promptTemplate: String?
    /// Part of the settings because batches decide float rounding: the same batches give the same outputs.
    public var batchSize: Int
    public var parameters: GenerateParameters

    enum CodingKeys: String, CodingKey {
        case model, tokenizer, adapter, task, input
        case promptTemplate = "prompt_template"
        case batchSize = "batch_size"
        case parameters
    }

    /// The settings that differ from `other`, as `name: this vs that`.
    func differences(from other: DatasetRunSettings) -> [String] {
        func text<T: Encodable>(_ value: T) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        }
        var found: [String] = []
        func compare<T: Encodable & Equatable>(_ name: String, _ a: T, _ b: T) {
            if a != b { found.append("\(name): \(text(a)) now, \(text(b)) in the interrupted run") }
        }
        compare("model", model, other.model)
        compare("tokenizer", tokenizer, other.tokenizer)
        compare("adapter", adapter, other.adapter)
        compare("task", task, other.task)
        compare("input", input, other.input)
        compare("prompt template", promptTemplate, other.promptTemplate)
        compare("batch size", batchSize, other.batchSize)
        compare("decoding parameters", parameters, other.parameters)
        return found
    }
}

/// The predictions of a dataset run as they are made, in `OUT.partial` beside the output: a first line with
/// the run's settings, then one record per example in the order the batches finished, each batch appended
/// and flushed to disk before the next one starts. A signal or a crash loses at most the batch in progress;
/// `--resume` reads the file and decodes only the rest. When the run completes the outputs are written in
/// the data file's order and the journal is removed, so `--out` itself is only ever a complete file.
final class PredictionJournal {
    let path: String
    private let handle: FileHandle

    private init(path: String, handle: FileHandle) { (self.path, self.handle) = (path, handle) }

    /// The journal of an output file.
    static func path(for output: String) -> String { output + ".partial" }

    /// Starts a new journal at `path` (replacing an older one) holding `settings`.
    static func create(at path: String, settings: DatasetRunSettings) throws -> PredictionJournal {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw LNTuneError.io(path: path, reason: FileProblem.forWriting(path) ?? "cannot create the file")
        }
        let journal = try open(path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let header = try encoder.encode(["lntune_generate": settings])
        try journal.write(header + Data("\n".utf8))
        return journal
    }

    /// Opens the journal of an interrupted run to continue it: checks its settings against `settings`, returns
    /// the records it holds by example index, and cuts off a last line that a crash left unfinished.
    static func resume(
        at path: String, settings: DatasetRunSettings, examples: [Example]
    ) throws -> (journal: PredictionJournal, done: [Int: PredictionRecord]) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LNTuneError.generation(.nothingToResume(path: path))
        }
        let file: TextFile
        do {
            file = try TextFile(path: path)
        } catch {
            guard case let .unreadable(_, reason) = error else { throw LNTuneError.io(path: path, reason: "\(error)") }
            throw LNTuneError.io(path: path, reason: reason)
        }
        var lines = file.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let complete = file.bytes.last == UInt8(ascii: "\n")
        lines.removeLast()  // after the final newline (empty), or the unfinished line of a crash
        let keep = lines.reduce(0) { $0 + $1.count + 1 }
        func bad(_ line: Int, _ reason: String) -> LNTuneError {
            .generation(.badJournal(path: path, line: line, reason: reason))
        }
        guard let first = lines.first,
            let header = try? JSONDecoder().decode([String: DatasetRunSettings].self, from: Data(first)),
            let recorded = header["lntune_generate"]
        else { throw bad(1, "the first line is not the settings line of an lntune generate run") }
        let differences = settings.differences(from: recorded)
        guard differences.isEmpty else {
            throw LNTuneError.generation(.resumeMismatch(path: path, differences: differences))
        }
        let indexByID = Dictionary(examples.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var done: [Int: PredictionRecord] = [:]
        for (offset, line) in lines.enumerated().dropFirst() {
            guard let record = try? JSONDecoder().decode(PredictionRecord.self, from: Data(line)) else {
                throw bad(offset + 1, "not a prediction record")
            }
            guard let index = indexByID[record.id], examples[index].source == record.source else {
                throw bad(offset + 1, "example \(record.id) is not in --input (or has another source there)")
            }
            done[index] = record
        }
        let journal = try open(path)
        do {
            if !complete { try journal.handle.truncate(atOffset: UInt64(keep)) }
            try journal.handle.seekToEnd()
        } catch {
            throw LNTuneError.io(path: path, reason: FileProblem.reason(error, path: path, writing: true))
        }
        return (journal, done)
    }

    /// Appends `records`, one line each, and flushes them to disk.
    func append(_ records: [PredictionRecord]) throws {
        try write(Data(try PredictionFiles.jsonLines(records).utf8))
    }

    /// Closes and deletes the journal (the run is complete and its outputs are written).
    func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    func close() { try? handle.close() }

    private static func open(_ path: String) throws -> PredictionJournal {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw LNTuneError.io(path: path, reason: FileProblem.forWriting(path) ?? "cannot open the file for writing")
        }
        return PredictionJournal(path: path, handle: handle)
    }

    private func write(_ data: Data) throws {
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            throw LNTuneError.io(path: path, reason: FileProblem.reason(error, path: path, writing: true))
        }
    }
}
