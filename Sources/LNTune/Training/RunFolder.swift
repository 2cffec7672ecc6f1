import Foundation
import Tuning

/// The output folder of a run and the only files a run writes there:
///
/// ```
/// OUT/run.json                 settings, versions, data hashes, model config; results when done
/// OUT/train_log.jsonl          one JSON object per logged step and per evaluation
/// OUT/checkpoint.safetensors   the resumable state (Ctrl-C, SIGTERM, --save-every)
/// OUT/final/                   the adapter after the last step (PEFT layout where PEFT has one)
/// OUT/best/                    the adapter with the lowest dev loss (with --dev)
/// OUT/tensorboard/             events.out.tfevents.* (--report-to tensorboard), one file per session
/// ```
///
/// A new run refuses a folder that already holds anything. `--overwrite` replaces exactly these files (and
/// the adapter files LNTune writes inside `final/` and `best/`, so no stale file of an earlier method stays
/// behind); anything else the user keeps in the folder is never touched. `--resume` continues the run whose
/// checkpoint is there. A run holds `RunLock` on the folder while it writes, and removes the temporary files
/// that killed writes left behind (`removeLeftovers`).
public struct RunFolder: Sendable {
    public let url: URL

    public init(_ path: String) { url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL }

    public var runRecord: URL { url.appendingPathComponent("run.json") }
    public var log: URL { url.appendingPathComponent("train_log.jsonl") }
    public var checkpoint: URL { url.appendingPathComponent("checkpoint.safetensors") }
    public var final: URL { url.appendingPathComponent("final", isDirectory: true) }
    public var best: URL { url.appendingPathComponent("best", isDirectory: true) }
    public var tensorBoard: URL { url.appendingPathComponent("tensorboard", isDirectory: true) }

    /// What an adapter folder written by `AdapterFiles.write` can contain, for every method.
    static let adapterEntries = [
        "adapter_config.json", "adapter_model.safetensors", "lntune_adapter.json", "bitfit.safetensors",
        "config.json", "model.safetensors", "ln", "prefix",
    ]

    /// Visible entries of the folder (none if it does not exist).
    public func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Makes the folder ready for a new run (not a resume): refuses one that holds files unless `overwrite`,
    /// in which case the files of an earlier run (listed above) are removed and nothing else.
    public func prepareForNewRun(overwrite: Bool) throws {
        let existing = contents()
        if !existing.isEmpty && !overwrite {
            throw LNTuneError.training(.outputExists(path: url.path, files: existing))
        }
        try create(url)
        if overwrite {
            for file in [runRecord, log, checkpoint] { try remove(file) }
            for folder in [final, best] {
                for entry in Self.adapterEntries { try remove(folder.appendingPathComponent(entry)) }
            }
            for events in TensorBoardReader.eventFiles(in: tensorBoard) { try remove(events) }
        }
    }

    /// Why a folder without a checkpoint cannot be resumed, from what `run.json` says of the run there.
    func whyNotResumable() -> String {
        guard FileManager.default.fileExists(atPath: runRecord.path) else {
            return "no checkpoint.safetensors and no run.json: no run was started with this --out"
        }
        guard let record = try? RunRecord.read(from: runRecord) else {
            return "no checkpoint.safetensors, and run.json cannot be read; start again with --overwrite"
        }
        guard let result = record.result else {
            return "the run there stopped before writing any checkpoint (it was killed, or failed before its first"
                + " save); start it again with --overwrite (--save-every N keeps checkpoints along the way)"
        }
        let step = result.completedSteps
        switch result.status {
        case .completed, .stoppedEarly:
            return "the run there finished (status \(result.status.rawValue) after step \(step)); its adapters are in"
                + " final/\(result.bestAdapter == nil ? "" : " and best/"): nothing to resume"
        case .diverged, .failed:
            return "the run there ended with status \(result.status.rawValue) after step \(step)"
                + (result.error.map { " (\($0))" } ?? "") + " before any checkpoint was written; start it again"
                + " with --overwrite"
        case .interrupted, .running:
            return "the run there has status \(result.status.rawValue) but its checkpoint is gone; start it again"
                + " with --overwrite"
        }
    }

    /// Removes what interrupted writes left behind — the temporary files of atomic writes
    /// (`.checkpoint.safetensors.<pid>.<n>.tmp`, as large as the trainable state, one per kill during a save,
    /// and Foundation's `.dat.nosync…`) — from the folder and its adapter folders; returns their paths relative
    /// to the folder. Call it while holding the run's lock, so no live writer's file is taken.
    func removeLeftovers() throws -> [String] {
        let known = ["run.json", "train_log.jsonl", "checkpoint.safetensors"] + Self.adapterEntries
        func isLeftover(_ name: String) -> Bool {
            name.hasPrefix(".dat.nosync")
                || (name.hasSuffix(".tmp") && known.contains { name.hasPrefix("." + $0 + ".") })
        }
        var removed: [String] = []
        for relative in ["", "final", "best", "final/ln", "final/prefix", "best/ln", "best/prefix"] {
            let folder = relative.isEmpty ? url : url.appendingPathComponent(relative, isDirectory: true)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names.sorted() where isLeftover(name) {
                try remove(folder.appendingPathComponent(name))
                removed.append(relative.isEmpty ? name : relative + "/" + name)
            }
        }
        return removed
    }

    /// Writes `adapter` into `folder` (final/ or best/); each file is replaced atomically. Within a run the
    /// method never changes, so the same files are replaced each time.
    func write(_ adapter: Adapter, to folder: URL) throws {
        try AdapterFiles.write(adapter, to: folder)
    }

    func create(_ folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw LNTuneError.io(path: folder.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
    }

    private func remove(_ file: URL) throws {
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        do {
            try FileManager.default.removeItem(at: file)
        } catch {
            throw LNTuneError.io(path: file.path, reason: "cannot remove it (\(error.localizedDescription))")
        }
    }

    /// Replaces `file` with `data` atomically (temporary file in the same folder, then rename).
    static func store(_ data: Data, at file: URL) throws {
        do {
            try data.write(to: file, options: .atomic)
        } catch {
            throw LNTuneError.io(path: file.path, reason: "cannot write (\(error.localizedDescription))")
        }
    }
}
