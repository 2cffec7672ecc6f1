/// Something `ModelLoader` noticed that does not stop it, returned with the loaded model so that the caller
/// decides how to show it (the library never prints; the CLI writes `warning: …` to stderr).
public enum LoadWarning: Equatable, Sendable, CustomStringConvertible {
    /// The adapter records another base model (`base_model_name_or_path`) than the one it is applied to. Its
    /// tensors fit this model's shape (that is checked and refused otherwise), so it is used as asked.
    case differentBaseModel(adapter: String, recorded: String, model: String)
    /// The tokenizer's `<|endoftext|>` is not the id the model's `config.json` names as `eos_token_id`: LNTune
    /// stops generation and pads batches with the tokenizer's, as it always does.
    case endOfTextDiffers(tokenizer: String, tokenizerID: Int, model: String, configID: Int)

    public var description: String {
        switch self {
        case let .differentBaseModel(adapter, recorded, model):
            return "the adapter \(adapter) was trained on '\(recorded)' (base_model_name_or_path), not on '\(model)';"
                + " its shapes fit, so it is applied anyway"
        case let .endOfTextDiffers(tokenizer, tokenizerID, model, configID):
            return "the tokenizer \(tokenizer) has <|endoftext|> = \(tokenizerID) but the model \(model) names"
                + " eos_token_id \(configID) in config.json; LNTune stops and pads with \(tokenizerID)"
        }
    }
}
