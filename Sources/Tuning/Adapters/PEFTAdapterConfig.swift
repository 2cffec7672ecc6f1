import Foundation
import GPT2

/// `adapter_config.json` as PEFT 0.21 writes it for the adapter types LNTune exchanges with it
/// (`LN_TUNING`, `PREFIX_TUNING`: each method's folder fills its own keys) (keys as PEFT spells them; absent keys take PEFT's defaults).
///
/// LNTune adds one key, `"lntune"`: the method and options it trained with (e.g. an LN-Tuning ablation).
/// PEFT drops unknown keys when it loads a config (with a warning), so the file stays loadable by PEFT.
struct PEFTAdapterConfig: Codable, Equatable {
    static let fileName = "adapter_config.json"
    static let weightsFileName = "adapter_model.safetensors"
    /// The PEFT release whose format LNTune writes and was checked against (`eval/reference/make_adapter_fixtures.py`).
    static let peftVersion = "0.21.2"

    var peftType: String
    var taskType: String?
    var peftVersion: String?
    var baseModelNameOrPath: String?
    var inferenceMode: Bool?
    var targetModules: TargetModules?
    var numVirtualTokens: Int?
    var tokenDim: Int?
    var numLayers: Int?
    var numAttentionHeads: Int?
    var numTransformerSubmodules: Int?
    var prefixProjection: Bool?
    var encoderHiddenSize: Int?
    var lntune: TuningConfiguration?

    enum CodingKeys: String, CodingKey {
        case peftType = "peft_type"
        case taskType = "task_type"
        case peftVersion = "peft_version"
        case baseModelNameOrPath = "base_model_name_or_path"
        case inferenceMode = "inference_mode"
        case targetModules = "target_modules"
        case numVirtualTokens = "num_virtual_tokens"
        case tokenDim = "token_dim"
        case numLayers = "num_layers"
        case numAttentionHeads = "num_attention_heads"
        case numTransformerSubmodules = "num_transformer_submodules"
        case prefixProjection = "prefix_projection"
        case encoderHiddenSize = "encoder_hidden_size"
        case lntune
    }

    /// PEFT's `target_modules`: a list of module names (matched as `key == t or key.endswith("." + t)`) or
    /// one regular expression.
    enum TargetModules: Codable, Equatable {
        case names([String])
        case pattern(String)

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let names = try? c.decode([String].self) {
                self = .names(names)
            } else {
                self = .pattern(try c.decode(String.self))
            }
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .names(names): try c.encode(names)
            case let .pattern(pattern): try c.encode(pattern)
            }
        }
    }

    /// The keys every adapter LNTune writes carries; `recording` is the method and options it trained with.
    mutating func fillCommon(baseModel: String?, recording: TuningConfiguration) {
        taskType = "CAUSAL_LM"
        peftVersion = Self.peftVersion
        baseModelNameOrPath = baseModel
        inferenceMode = true
        lntune = recording
    }

    static func read(from url: URL) throws(TuningError) -> PEFTAdapterConfig {
        try AdapterJSON.read(PEFTAdapterConfig.self, from: url)
    }
}

/// JSON files of adapters: pretty, sorted keys (so the same adapter gives the same bytes), written
/// atomically (a temporary file renamed over the name).
enum AdapterJSON {
    static func write<T: Encodable>(_ value: T, to url: URL) throws(TuningError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(value)
            data.append(0x0A)
            try data.write(to: url, options: .atomic)
        } catch {
            throw .model(.writeFailed(file: url.path, reason: error.localizedDescription))
        }
    }

    static func read<T: Decodable>(_ type: T.Type, from url: URL) throws(TuningError) -> T {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .missingFile(path: url.path, hint: "expected in an adapter folder")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw .invalidAdapter(file: url.path, reason: describe(error))
        } catch {
            throw .invalidAdapter(file: url.path, reason: error.localizedDescription)
        }
    }

    /// A one-line reason naming the key path, for a `DecodingError`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let p = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "top level" : p
        }
        switch error {
        case let .keyNotFound(key, ctx): return "\(path(ctx.codingPath + [key])): required key is missing"
        case let .typeMismatch(type, ctx): return "\(path(ctx.codingPath)): expected \(type)"
        case let .valueNotFound(type, ctx): return "\(path(ctx.codingPath)): expected \(type), found null"
        case let .dataCorrupted(ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
