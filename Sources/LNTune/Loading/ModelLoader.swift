import Foundation
import GPT2
import Tokenizers
import Tuning

/// The one place a model, its tokenizer and an adapter are put together — for `train`, `generate`,
/// `perplexity`, `merge` and the benchmarks — and the one place each check runs:
///
/// 1. `--model` resolves to a folder (`ModelResolver`: a folder, or a hub name in the local cache);
///    the checkpoint's tensors are checked against the safetensors header and `config.json`.
/// 2. The adapter's tensors are checked one by one against this model's shapes (`AdapterFiles.read`), then as a
///    whole (`AdapterFit`: every block its method tunes must be there, so an adapter of a shallower model is
///    refused); its prefix must leave room for tokens; a different `base_model_name_or_path` is a warning.
/// 3. The tokenizer (a folder or a `.tiktoken` file) must have `<|endoftext|>` and no id beyond the model's
///    embeddings; an `<|endoftext|>` other than `config.json`'s `eos_token_id` is a warning.
public enum ModelLoader {
    /// Positions a prefix must leave for tokens: one to read and one to predict (or a prompt token and one
    /// new token).
    public static let minimumTokens = 2

    /// Loads everything `request` names and runs every check; warnings come back in `LoadedModel.warnings`.
    public static func load(_ request: ModelRequest) throws(LNTuneError) -> LoadedModel {
        let clock = ContinuousClock()
        let modelStart = clock.now
        let weights = try loadWeights(request)
        let model = try weights.makeModel(precision: request.precision)
        let tokenizerStart = clock.now
        let source = request.tokenizer.map { URL(fileURLWithPath: $0) } ?? weights.folder
        let tokenizer = try loadTokenizer(source)
        let endOfText = try check(tokenizer, source: source, fits: model.config, modelName: request.model)
        var warnings = weights.warnings
        if let eos = model.config.eosTokenId, eos != endOfText {
            warnings.append(
                .endOfTextDiffers(tokenizer: source.path, tokenizerID: endOfText, model: request.model, configID: eos))
        }
        let end = clock.now
        return LoadedModel(
            model: model, tokenizer: tokenizer, adapter: weights.adapter, endOfText: endOfText,
            modelFolder: weights.folder, tokenizerSource: source, warnings: warnings,
            timing: LoadTiming(
                model: seconds(tokenizerStart - modelStart), tokenizer: seconds(end - tokenizerStart)))
    }

    /// How an adapter goes into the weights: `apply` for running the model, `merge` for `lntune merge`,
    /// which also refuses adapters that cannot be folded into weights (a prefix).
    public enum AdapterUse: Sendable {
        case apply, merge
    }

    /// The checkpoint `request.model` names with `request.adapter` folded in (the tokenizer is not read):
    /// steps 1 and 2 above.
    public static func loadWeights(_ request: ModelRequest, adapterUse: AdapterUse = .apply)
        throws(LNTuneError) -> AdaptedCheckpoint
    {
        let folder = try ModelResolver.resolve(request.model, revision: request.revision, settings: request.hub)
        try LoaderFileCheck.check(folder)
        let checkpoint: GPT2Checkpoint
        do {
            checkpoint = try GPT2Checkpoint.load(directory: folder)
        } catch {
            throw .model(error)
        }
        guard let adapterPath = request.adapter else {
            return AdaptedCheckpoint(checkpoint: checkpoint, adapter: nil, folder: folder, warnings: [])
        }
        try LoaderFileCheck.check(URL(fileURLWithPath: adapterPath))
        let adapter: Adapter
        do {
            adapter = try AdapterFiles.read(from: URL(fileURLWithPath: adapterPath), modelConfig: checkpoint.config)
        } catch {
            throw .tuning(error)
        }
        try AdapterFit.checkBlocks(adapter, model: checkpoint.config, modelName: request.model)
        if let prefix = adapter.prefix {
            _ = try positions(afterPrefix: prefix.positionCount, in: checkpoint.config, source: adapterPath)
        }
        do {
            switch adapterUse {
            case .apply: try adapter.apply(to: checkpoint.parameters)
            case .merge: try adapter.merge(into: checkpoint.parameters)
            }
        } catch {
            throw .tuning(error)
        }
        let warning = AdapterFit.baseModelWarning(
            recorded: adapter.baseModel, adapter: adapterPath, modelName: request.model, modelFolder: folder,
            hub: request.hub)
        return AdaptedCheckpoint(
            checkpoint: checkpoint, adapter: adapter, folder: folder, warnings: warning.map { [$0] } ?? [],
            extensionModule: adapterUse == .apply ? adapter.extensionModule : nil)
    }

    /// A tokenizer folder (`vocab.json` + `merges.txt`) or a `.tiktoken` rank file (the tokenizer alone, for
    /// `lntune tokenize`; `load` also checks it against the model).
    public static func loadTokenizer(_ source: URL) throws(LNTuneError) -> GPT2Tokenizer {
        do {
            return try GPT2Tokenizer.load(source)
        } catch {
            throw .tokenizer(error)
        }
    }

    /// The positions left for tokens after a prefix of `length` slots; refuses a prefix that leaves fewer than
    /// `minimumTokens` (`source` names the adapter folder or the option that asked for the prefix).
    public static func positions(afterPrefix length: Int, in config: GPT2Config, source: String)
        throws(LNTuneError) -> Int
    {
        let left = config.nPositions - length
        guard left >= minimumTokens else {
            throw .loading(
                .prefixTooLong(
                    source: source, length: length, positions: config.nPositions, minimumTokens: minimumTokens))
        }
        return left
    }

    /// The tokenizer's `<|endoftext|>` id, after checking that every id it produces has an embedding.
    private static func check(_ tokenizer: GPT2Tokenizer, source: URL, fits config: GPT2Config, modelName: String)
        throws(LNTuneError) -> Int
    {
        guard tokenizer.vocabularySize <= config.vocabSize else {
            throw .loading(
                .vocabularyMismatch(
                    tokenizer: source.path, tokenizerSize: tokenizer.vocabularySize, model: modelName,
                    modelSize: config.vocabSize))
        }
        guard let endOfText = tokenizer.endOfTextID else { throw .loading(.noEndOfText(tokenizer: source.path)) }
        return endOfText
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }
}
