import Decoding
import Foundation
import GPT2
import Kernels
import Tokenizers
import Tuning

/// A checkpoint with an adapter folded into its weights, as `ModelLoader.loadWeights` returns it: what
/// `lntune merge` saves, and what `LoadedModel` runs.
public struct AdaptedCheckpoint: Sendable {
    /// The base weights with the adapter's tensors written in (the base alone without an adapter).
    public let checkpoint: GPT2Checkpoint
    /// The adapter applied, if any; its prefix (Prefix-Tuning) goes in front of every row, not into weights.
    public let adapter: Adapter?
    /// The model folder `--model` resolved to.
    public let folder: URL
    /// What the loader noticed without refusing (a different base model name).
    public let warnings: [LoadWarning]
    /// The adapter's hook-point module (LoRA) when it was applied rather than merged: the model runs it.
    var extensionModule: (any ModelExtension)? = nil

    /// The weights as a model to run (sharing the parameter buffer), with the adapter's hook-point module
    /// when it was not merged; the adapter's prefix is separate. With `precision: .bf16` the matrix-product
    /// weights are rounded to bf16 copies here, once.
    public func makeModel(precision: Precision = .fp32) throws(LNTuneError) -> GPT2Model {
        do {
            return try GPT2Model(
                config: checkpoint.config, parameters: checkpoint.parameters, extension: extensionModule,
                precision: precision)
        } catch {
            throw .model(error)
        }
    }
}

/// A model ready to run: weights (with the adapter applied), the tokenizer that fits them and the id that
/// ends a text, each checked once by `ModelLoader`.
public struct LoadedModel: Sendable {
    public let model: GPT2Model
    public let tokenizer: GPT2Tokenizer
    /// The adapter applied, if any.
    public let adapter: Adapter?
    /// `<|endoftext|>`: what templates end a source with, generation stops at and batches are padded with.
    public let endOfText: Int
    /// The model folder `--model` resolved to.
    public let modelFolder: URL
    /// The tokenizer folder or `.tiktoken` file (the model folder unless `--tokenizer` named another).
    public let tokenizerSource: URL
    /// What the loader noticed without refusing; the CLI prints each as `warning: …`.
    public let warnings: [LoadWarning]
    /// Seconds spent loading, for the phase times a training run reports.
    public let timing: LoadTiming

    public var config: GPT2Config { model.config }

    /// The adapter's prefix slots (Prefix-Tuning), which every forward puts in front of the tokens.
    public var prefix: PrefixSlots? { adapter?.prefix }

    /// Token positions a sequence may use: the model's context minus the prefix slots (at least
    /// `ModelLoader.minimumTokens`, which the loader checked).
    public var maxSequenceLength: Int { config.nPositions - (prefix?.positionCount ?? 0) }

    /// The model as the decoders see it (the prefix seeded into every row's cache).
    public var languageModel: GPT2LanguageModel { GPT2LanguageModel(model: model, prefix: prefix) }
}

/// Where loading time went.
public struct LoadTiming: Sendable, Equatable {
    /// Resolving the name, reading the checkpoint and the adapter.
    public var model: Double
    public var tokenizer: Double
}
