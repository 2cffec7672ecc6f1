import Foundation
import GPT2
import Tuning

/// A value at a training step.
public struct StepValue: Sendable, Equatable {
    public var step: Int
    public var value: Double
}

/// Everything `lntune report` shows of one run folder: `run.json`, the lines of `train_log.jsonl`, the
/// throughput recorded in its TensorBoard events, and the parameter change of its adapter (`best/`, else
/// `final/`) against the base model. What cannot be read is left out with a note, so a report of a run
/// still training, or of a run whose base model is elsewhere, shows what there is.
public struct RunData: Sendable {
    public var name: String
    /// Runs of one group (a study's configuration over seeds) share a colour in the charts.
    public var group: String?
    public var folder: RunFolder
    public var record: RunRecord
    public var log: [TrainingLogEntry]
    /// `train/tokens_per_second` by step (empty for runs trained with `--report-to none`).
    public var throughput: [StepValue]
    public var change: ParameterChange?
    /// Why a part of the report is missing.
    public var notes: [String]

    public var steps: [TrainingLogEntry] { log.filter { $0.type == "step" } }
    public var evaluations: [TrainingLogEntry] { log.filter { $0.type == "eval" } }

    /// Reads the run in `path`. `baseModels` caches loaded base checkpoints by folder across runs.
    public static func load(_ path: String, name: String? = nil, baseModels: BaseModelCache) throws -> RunData {
        let folder = RunFolder(path)
        guard FileManager.default.fileExists(atPath: folder.runRecord.path) else {
            throw LNTuneError.io(path: folder.runRecord.path, reason: "no run.json: not a run folder of lntune train")
        }
        let record = try RunRecord.read(from: folder.runRecord)
        var notes: [String] = []
        let log = try readLog(folder.log)
        var throughput: [StepValue] = []
        let eventFiles = TensorBoardReader.eventFiles(in: folder.tensorBoard)
        if eventFiles.isEmpty {
            notes.append("no TensorBoard events (trained with --report-to none?): no throughput over steps")
        } else {
            throughput = try Self.throughput(eventFiles)
        }
        var change: ParameterChange?
        let adapter = [folder.best, folder.final].first {
            FileManager.default.fileExists(atPath: $0.path)
        }
        if let adapter {
            do {
                let base = try baseModels.parameters(for: record)
                let loaded = try AdapterFiles.read(from: adapter, modelConfig: base.config)
                change = ParameterChange(base: base, adapter: loaded, adapterFolder: adapter.path)
            } catch {
                notes.append("no parameter change: \(error)")
            }
        } else {
            notes.append("no adapter yet (best/ or final/): no parameter change")
        }
        return RunData(
            name: name ?? folder.url.lastPathComponent, group: nil, folder: folder, record: record, log: log,
            throughput: throughput, change: change, notes: notes)
    }

    /// The lines of `train_log.jsonl` (none if the file is missing: a run that has not logged yet).
    static func readLog(_ url: URL) throws -> [TrainingLogEntry] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw LNTuneError.io(path: url.path, reason: "cannot read the training log (\(error.localizedDescription))")
        }
        var entries: [TrainingLogEntry] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            do {
                entries.append(try decoder.decode(TrainingLogEntry.self, from: Data(line.utf8)))
            } catch {
                throw LNTuneError.io(path: "\(url.path):\(index + 1)", reason: "not a training log line (\(error))")
            }
        }
        return entries
    }

    /// `train/tokens_per_second` over the sessions' files, oldest first; a session start drops what an
    /// earlier session logged at or after its step (as TensorBoard does).
    static func throughput(_ files: [URL]) throws -> [StepValue] {
        var byStep: [Int: Double] = [:]
        for file in files {
            for event in try TensorBoardReader.events(in: file) {
                switch event.content {
                case .sessionStart: byStep = byStep.filter { $0.key < event.step }
                case let .scalars(values):
                    for value in values where value.tag == "train/tokens_per_second" {
                        byStep[event.step] = Double(value.value)
                    }
                case .fileVersion: break
                }
            }
        }
        return byStep.keys.sorted().compactMap { step in byStep[step].map { StepValue(step: step, value: $0) } }
    }
}

/// Base checkpoints loaded for parameter changes, by model folder: the runs of a study share one.
public final class BaseModelCache {
    private var loaded: [String: GPT2Parameters] = [:]

    public init() {}

    /// The base model of a run: the folder `run.json` resolved, else its `--model` resolved again (a hub
    /// name in this machine's cache).
    func parameters(for record: RunRecord) throws -> GPT2Parameters {
        let folder: URL
        if FileManager.default.fileExists(atPath: record.resolved.modelFolder) {
            folder = URL(fileURLWithPath: record.resolved.modelFolder)
        } else {
            folder = try ModelResolver.resolve(record.settings.model)
        }
        if let parameters = loaded[folder.path] { return parameters }
        let checkpoint = try GPT2Checkpoint.load(directory: folder)
        loaded[folder.path] = checkpoint.parameters
        return checkpoint.parameters
    }
}
