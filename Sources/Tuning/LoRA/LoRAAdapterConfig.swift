import Foundation
import GPT2

/// `adapter_config.json` of a PEFT 0.21 LORA adapter: the keys every PEFT adapter has (`PEFTAdapterConfig`:
/// type, task, version, base model, `target_modules`, and `"lntune"`, the method record) in the same JSON object
/// as LoRA's own (`r`, `lora_alpha`, `lora_dropout`, `fan_in_fan_out`, `bias`). Absent keys take PEFT's
/// defaults, which is how PEFT itself reads a config.
///
/// Reading also looks at every key of the file (`checkFields`): a key PEFT 0.21.2's `LoraConfig` does not have
/// is refused, and so is a setting that changes what the adapter computes in a way LNTune does not implement
/// (DoRA, rsLoRA, trained biases, per-module ranks, …), each naming the key — loading such an adapter silently
/// without it would give other logits than PEFT's.
struct LoRAAdapterConfig: Codable {
    var peft: PEFTAdapterConfig
    var r: Int?
    var loraAlpha: Double?
    var loraDropout: Float?
    var fanInFanOut: Bool?
    var bias: String?

    enum CodingKeys: String, CodingKey {
        case r
        case loraAlpha = "lora_alpha"
        case loraDropout = "lora_dropout"
        case fanInFanOut = "fan_in_fan_out"
        case bias
    }

    init(from decoder: Decoder) throws {
        peft = try PEFTAdapterConfig(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        r = try c.decodeIfPresent(Int.self, forKey: .r)
        loraAlpha = try c.decodeIfPresent(Double.self, forKey: .loraAlpha)
        loraDropout = try c.decodeIfPresent(Float.self, forKey: .loraDropout)
        fanInFanOut = try c.decodeIfPresent(Bool.self, forKey: .fanInFanOut)
        bias = try c.decodeIfPresent(String.self, forKey: .bias)
    }

    func encode(to encoder: Encoder) throws {
        try peft.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(r, forKey: .r)
        try c.encodeIfPresent(loraAlpha, forKey: .loraAlpha)
        try c.encodeIfPresent(loraDropout, forKey: .loraDropout)
        try c.encodeIfPresent(fanInFanOut, forKey: .fanInFanOut)
        try c.encodeIfPresent(bias, forKey: .bias)
    }

    /// PEFT's LoraConfig defaults for what a file leaves out; GPT-2's default target is `c_attn`.
    var options: LoRAOptions {
        let defaults = LoRAOptions()
        let targets: LoRAOptions.Targets
        switch peft.targetModules {
        case let .names(names)?: targets = .names(names)
        case let .pattern(pattern)?: targets = .pattern(pattern)
        case nil: targets = defaults.targets
        }
        return LoRAOptions(
            rank: r ?? defaults.rank, alpha: loraAlpha ?? defaults.alpha, dropout: loraDropout ?? defaults.dropout,
            targets: targets)
    }

    /// The config LNTune writes for `options`: GPT-2's Conv1D is `fan_in_fan_out`, and no bias trains.
    init(options: LoRAOptions, baseModel: String?, recording: TuningConfiguration) {
        peft = PEFTAdapterConfig(peftType: "LORA")
        peft.fillCommon(baseModel: baseModel, recording: recording)
        switch options.targets {
        case let .names(names): peft.targetModules = .names(names)
        case let .pattern(pattern): peft.targetModules = .pattern(pattern)
        }
        r = options.rank
        loraAlpha = options.alpha
        loraDropout = options.dropout
        fanInFanOut = true
        bias = "none"
    }

    // MARK: - Keys PEFT has, and settings LNTune cannot honour

    /// What LNTune does with each key of PEFT 0.21.2's `LoraConfig.to_dict()`: read it (its value is used),
    /// ignore it (metadata, or a choice of initialisation, which a trained adapter no longer depends on), or
    /// require PEFT's default and refuse anything else, saying what the setting would need.
    private enum Rule {
        case read
        case ignored
        case requiresDefault(hint: String)
    }

    private static let rules: [String: Rule] = {
        var rules: [String: Rule] = [:]
        for key in ["peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "target_modules", "lntune"] {
            rules[key] = .read
        }
        for key in [
            "auto_mapping", "peft_version", "base_model_name_or_path", "revision", "inference_mode", "fan_in_fan_out",
            "init_lora_weights", "megatron_core", "loftq_config", "eva_config", "corda_config", "lora_ga_config",
            "qalora_group_size", "ensure_weight_tying",
        ] {
            rules[key] = .ignored
        }
        let unsupported: [(String, String)] = [
            ("bias", "LNTune's LoRA trains no bias terms (bias \"none\")"),
            ("use_rslora", "rank-stabilised scaling (alpha/√r) is not implemented; LNTune scales by alpha/r"),
            ("use_dora", "DoRA's magnitude vectors are not implemented"),
            ("lora_bias", "a bias on lora_B is not implemented"),
            ("modules_to_save", "fully trained extra modules are not part of a LoRA adapter here"),
            ("rank_pattern", "every targeted module must share one rank r"),
            ("alpha_pattern", "every targeted module must share one lora_alpha"),
            ("layers_to_transform", "name blocks in target_modules instead (h.3.attn.c_attn)"),
            ("layers_pattern", "name blocks in target_modules instead (h.3.attn.c_attn)"),
            ("exclude_modules", "list the modules to adapt in target_modules instead"),
            ("trainable_token_indices", "trainable token embeddings are not implemented"),
            ("layer_replication", "layer replication is not implemented"),
            ("target_parameters", "LoRA on raw parameters is not implemented"),
            ("alora_invocation_tokens", "activated LoRA is not implemented"),
            ("use_qalora", "QA-LoRA is not implemented"),
            ("megatron_config", "Megatron-parallel layers are not GPT-2 Conv1D layers"),
            ("use_bdlora", "block-diagonal LoRA is not implemented"),
            ("velora_config", "VeLoRA is not implemented"),
            ("monteclora_config", "MonteCLoRA is not implemented"),
            ("arrow_config", "Arrow routing is not implemented"),
            ("kasa_config", "KaSA is not implemented"),
        ]
        for (key, hint) in unsupported { rules[key] = .requiresDefault(hint: hint) }
        return rules
    }()

    /// PEFT's default for the keys that must keep it: "none", false, null, or an empty list or object.
    private static func isDefault(_ key: String, _ value: Any) -> Bool {
        if value is NSNull { return true }
        if key == "bias" { return (value as? String) == "none" }
        if let flag = value as? Bool { return !flag }
        if let list = value as? [Any] { return list.isEmpty }
        if let object = value as? [String: Any] { return object.isEmpty }
        return false
    }

    /// Refuses a key PEFT's LoraConfig does not have and a setting whose effect LNTune does not implement.
    static func checkFields(_ url: URL) throws(TuningError) {
        let object: [String: Any]?
        do {
            object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        } catch {
            throw .invalidAdapter(file: url.path, reason: "not a JSON object: \(error.localizedDescription)")
        }
        guard let object else { throw .invalidAdapter(file: url.path, reason: "not a JSON object") }
        for key in object.keys.sorted() {
            switch rules[key] {
            case nil:
                throw .invalidAdapter(
                    file: url.path,
                    reason:
                        "unknown field '\(key)': PEFT \(PEFTAdapterConfig.peftVersion)'s LoraConfig has no such field")
            case let .requiresDefault(hint)?:
                if let value = object[key], !isDefault(key, value) {
                    throw .invalidAdapter(file: url.path, reason: "\(key) = \(value) is not supported: \(hint)")
                }
            case .read?, .ignored?:
                break
            }
        }
    }
}
