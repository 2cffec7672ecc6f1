import Foundation
import GPT2
import Tuning

/// `lntune merge`: a base model folder plus an adapter → a new, complete model folder with the adapter's
/// LayerNorm values (and BitFit biases, a full fine-tune's weights, or LoRA's W += scaling·(B·A)ᵀ) folded in, which transformers'
/// `from_pretrained` loads as a plain GPT-2 (eval/reference/make_adapter_fixtures.py checks one).
///
/// A prefix cannot be merged (it is extra attention slots, not a change of weights): such adapters fail with
/// `TuningError.cannotMerge` before anything is written. The output folder must not exist; it is built
/// under a temporary name beside it and renamed into place, so a failure never leaves a half-written model.
public enum AdapterMerging {
    /// Files of a model folder besides the weights that a merged folder keeps (tokenizer, generation settings).
    static let companionFiles = [
        "vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "generation_config.json",
    ]

    /// What was merged.
    public struct Summary: Sendable, Equatable {
        public var method: String
        /// Tensors whose values now come from the adapter (all of them for `full`).
        public var replacedTensors: Int
        public var copiedFiles: [String]
        /// What the loader noticed without refusing (the adapter names another base model).
        public var warnings: [LoadWarning]
    }

    /// Folds the adapter folder `adapter` into the model `model` names (a folder or a cached hub name) and writes
    /// the result to `output`. The model and adapter go through `ModelLoader`, with all its checks.
    public static func merge(model: String, adapter adapterPath: String, output: URL, hub: HubSettings = HubSettings())
        throws(LNTuneError) -> Summary
    {
        let fm = FileManager.default
        if fm.fileExists(atPath: output.path) { throw .tuning(.outputExists(path: output.path)) }
        let merged = try ModelLoader.loadWeights(
            ModelRequest(model: model, adapter: adapterPath, hub: hub), adapterUse: .merge)
        let (base, folder) = (merged.checkpoint, merged.folder)
        // The loader returns the adapter it was asked to read; nil would be a loader bug, reported as such.
        guard let adapter = merged.adapter else {
            throw .io(path: adapterPath, reason: "the loader returned no adapter for this folder")
        }
        let staging = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).\(UUID().uuidString).partial")
        var copied: [String] = []
        do {
            try base.save(to: staging)
            for name in companionFiles where fm.fileExists(atPath: folder.appendingPathComponent(name).path) {
                try fm.copyItem(at: folder.appendingPathComponent(name), to: staging.appendingPathComponent(name))
                copied.append(name)
            }
            // Checked again right before the rename: the folder may have appeared while we were writing.
            if fm.fileExists(atPath: output.path) { throw LNTuneError.tuning(.outputExists(path: output.path)) }
            try fm.moveItem(at: staging, to: output)
        } catch {
            try? fm.removeItem(at: staging)
            if let error = error as? LNTuneError { throw error }
            if let error = error as? GPT2Error { throw .model(error) }
            throw .io(path: output.path, reason: "\(error)")
        }
        let replaced =
            adapter.fullParameters != nil
            ? base.parameters.layout.slots.count
            : adapter.tensors.count + (adapter.extensionModule?.mergedTensors.count ?? 0)
        return Summary(
            method: adapter.configuration.name, replacedTensors: replaced, copiedFiles: copied,
            warnings: merged.warnings)
    }
}
