import Foundation
import Kernels

/// What `--model`, `--tokenizer` and `--adapter` name, as the user typed them: the one input of `ModelLoader`.
public struct ModelRequest: Sendable, Equatable {
    /// A model folder (`config.json` + `model.safetensors`) or a hub name found in the local cache.
    public var model: String
    /// A tokenizer folder (`vocab.json` + `merges.txt`) or a `.tiktoken` rank file; nil = the model folder's.
    public var tokenizer: String?
    /// An adapter folder to apply to the model; nil = the base model alone.
    public var adapter: String?
    /// The hub revision a hub name is looked up at.
    public var revision: String
    /// Where the hub cache is (a model given by name is looked up there, never downloaded).
    public var hub: HubSettings
    /// `--precision`: bf16 rounds the matrix-product weights to bf16 copies once, at load (see `Precision`).
    public var precision: Precision

    public init(
        model: String, tokenizer: String? = nil, adapter: String? = nil, revision: String = "main",
        hub: HubSettings = HubSettings(), precision: Precision = .fp32
    ) {
        self.precision = precision
        self.model = model
        self.tokenizer = tokenizer
        self.adapter = adapter
        self.revision = revision
        self.hub = hub
    }
}
