import Foundation
import GPT2
import Tuning

/// The adapter checks that need the whole adapter, beyond the per-tensor shape checks of `AdapterFiles.read`
/// (which already refuse a tensor of another width, a block the model lacks, or a prefix of another depth).
enum AdapterFit {
    /// Refuses an adapter that holds values for fewer blocks than its method tunes in this model — the sign of
    /// an adapter trained on a shallower model (4 blocks applied to a 6-block model would otherwise leave blocks
    /// 4 and 5 untuned without a word). A full fine-tune is a whole checkpoint, compared by the reader.
    static func checkBlocks(_ adapter: Adapter, model config: GPT2Config, modelName: String) throws(LNTuneError) {
        let method = adapter.configuration.method
        guard !method.storesWholeModel else { return }
        let expected = method.storedTensors(in: ParameterLayout(config: config))
        let held = Set(adapter.tensors.keys)
        guard let missing = expected.first(where: { !held.contains($0) }) else { return }
        let blocks = Set(held.compactMap(blockIndex)).sorted()
        let span = blocks.first.map { first in "h.\(first)–h.\(blocks.last ?? first)" } ?? "none"
        throw .loading(
            .adapterMismatch(
                adapter: adapter.source,
                adapterShape: "\(adapter.configuration.name) values for \(blocks.count) blocks (\(span)),"
                    + " none for \(missing.huggingFaceName)",
                model: modelName, modelShape: shape(config)))
    }

    /// A warning when the adapter records a base model (`base_model_name_or_path`) that is not the model it is
    /// applied to. Spellings of one model are not "different": the same hub name (`gpt2` and
    /// `openai-community/gpt2`), a name or path that resolves to the same folder, or a relative path recorded
    /// from another working folder that ends the model folder's path (`data/tiny-model`).
    static func baseModelWarning(
        recorded: String?, adapter: String, modelName: String, modelFolder: URL, hub: HubSettings
    ) -> LoadWarning? {
        guard let recorded, !recorded.isEmpty, recorded != modelName else { return nil }
        if let a = try? HubRepo(recorded), let b = try? HubRepo(modelName), a.canonical == b.canonical { return nil }
        let folder = canonicalPath(modelFolder)
        if let resolved = try? ModelResolver.resolve(recorded, settings: hub), canonicalPath(resolved) == folder {
            return nil
        }
        let parts = recorded.split(separator: "/").map(String.init).filter { $0 != "." }
        if !parts.isEmpty, !parts.contains(".."), folder.suffix(parts.count).elementsEqual(parts) { return nil }
        return .differentBaseModel(adapter: adapter, recorded: recorded, model: modelName)
    }

    /// The shape fields every adapter depends on, as `config.json` names them.
    static func shape(_ c: GPT2Config) -> String {
        "n_layer \(c.nLayer), n_embd \(c.nEmbd), n_head \(c.nHead), vocab_size \(c.vocabSize),"
            + " n_positions \(c.nPositions)"
    }

    private static func blockIndex(_ tensor: GPT2Tensor) -> Int? {
        if case let .block(layer, _) = tensor { return layer }
        return nil
    }

    private static func canonicalPath(_ url: URL) -> [String] {
        url.standardizedFileURL.resolvingSymlinksInPath().pathComponents
    }
}
