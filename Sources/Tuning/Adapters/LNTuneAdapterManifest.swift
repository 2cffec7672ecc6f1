import Foundation

/// `lntune_adapter.json`: LNTune's adapter layouts for what PEFT has no adapter type for — a combination with
/// LN-Tuning (each part a PEFT adapter in a sub-folder), BitFit (`bitfit.safetensors`) and full fine-tuning
/// (a model folder). Each is built from files Python reads with stock tools, and the manifest's `python`
/// spells out how (the method's `pythonRecipe`).
///
/// `eval/reference/make_adapter_fixtures.py` proves each recipe against the logits LNTune computes.
public struct LNTuneAdapterManifest: Codable, Equatable, Sendable {
    static let fileName = "lntune_adapter.json"
    static let formatName = "lntune-adapter"
    static let newestFormatVersion = 1

    var format: String = Self.formatName
    var formatVersion: Int = Self.newestFormatVersion
    /// The method and options (same JSON as the `"lntune"` key of PEFT configs written by LNTune).
    public var method: TuningConfiguration
    /// Sub-folders holding the parts of a combination, by part name (`{"ln": "ln", "prefix": "prefix"}`).
    public var components: [String: String]?
    /// The weights file of a single-file layout (`bitfit.safetensors`, `model.safetensors`).
    public var weights: String?
    public var baseModelNameOrPath: String?
    /// How to load the folder in Python (documentation for people; LNTune does not read it).
    var python: String

    enum CodingKeys: String, CodingKey {
        case format
        case formatVersion = "format_version"
        case method, components, weights
        case baseModelNameOrPath = "base_model_name_or_path"
        case python
    }

    init(
        method: TuningConfiguration, components: [String: String]?, weights: String?, baseModelNameOrPath: String?,
        python: String
    ) {
        self.method = method
        self.components = components
        self.weights = weights
        self.baseModelNameOrPath = baseModelNameOrPath
        self.python = python
    }

    /// Reads and checks a manifest (format name and version).
    static func read(from url: URL) throws(TuningError) -> LNTuneAdapterManifest {
        let manifest = try AdapterJSON.read(LNTuneAdapterManifest.self, from: url)
        guard manifest.format == formatName else {
            throw .invalidAdapter(file: url.path, reason: "format '\(manifest.format)', expected '\(formatName)'")
        }
        guard manifest.formatVersion <= newestFormatVersion else {
            throw .invalidAdapter(
                file: url.path,
                reason: "format_version \(manifest.formatVersion) is newer than this LNTune (\(newestFormatVersion))")
        }
        return manifest
    }
}
