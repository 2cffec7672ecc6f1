/// `lntune_adapter.json`: LNTune's adapter layouts for the methods PEFT has no adapter type for. Each is built
/// from files Python reads with stock tools, and the manifest spells out how:
///
/// - `prefix+ln`: two PEFT adapters in sub-folders, `ln/` (LN_TUNING) and `prefix/` (PREFIX_TUNING). PEFT
///   cannot stack them in one model, but LN-Tuning can be merged first:
///   `PeftModel.from_pretrained(base, "DIR/ln").merge_and_unload()`, then
///   `PeftModel.from_pretrained(merged, "DIR/prefix")`.
/// - `bitfit`: `bitfit.safetensors` with every bias under its transformers name
///   (`transformer.h.0.attn.c_attn.bias`): `model.load_state_dict(load_file("DIR/bitfit.safetensors"), strict=False)`.
/// - `full`: a complete model folder (`config.json` + `model.safetensors`, `from_pretrained("DIR")`).
///
/// `eval/reference/make_adapter_fixtures.py` proves each recipe against the logits LNTune computes.
struct LNTuneAdapterManifest: Codable, Equatable {
    static let fileName = "lntune_adapter.json"
    static let formatName = "lntune-adapter"
    static let bitFitWeights = "bitfit.safetensors"

    var format: String = Self.formatName
    var formatVersion: Int = 1
    /// The method and options (same JSON as the `"lntune"` key of PEFT configs written by LNTune).
    var method: TuningConfiguration
    /// Sub-folders holding PEFT adapters, by role (`prefix+ln`: `{"ln": "ln", "prefix": "prefix"}`).
    var components: [String: String]?
    /// The weights file of a single-file layout (`bitfit.safetensors`, `model.safetensors`).
    var weights: String?
    var baseModelNameOrPath: String?
    /// How to load the folder in Python (documentation for people; LNTune does not read it).
    var python: String

    enum CodingKeys: String, CodingKey {
        case format
        case formatVersion = "format_version"
        case method, components, weights
        case baseModelNameOrPath = "base_model_name_or_path"
        case python
    }

    static func recipe(for kind: TuningMethodKind) -> String {
        switch kind {
        case .prefixLN:
            return
                "m = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(BASE), 'DIR/ln').merge_and_unload();"
                + " m = PeftModel.from_pretrained(m, 'DIR/prefix')"
        case .bitfit:
            return "m = AutoModelForCausalLM.from_pretrained(BASE);"
                + " m.load_state_dict(safetensors.torch.load_file('DIR/bitfit.safetensors'), strict=False)"
        case .full:
            return "m = AutoModelForCausalLM.from_pretrained('DIR')"
        case .ln, .prefix:
            return "m = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(BASE), 'DIR')"
        }
    }
}
