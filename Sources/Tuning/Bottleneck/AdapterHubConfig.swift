import Foundation
import GPT2
import Kernels

/// `adapter_config.json` as AdapterHub's `adapters` 1.3.0 saves it: `{"config": {…}, "hidden_size", "model_class",
/// "model_name", "model_type", "name", "version"}`, where `config` is a `BnConfig` as a dictionary or, for MAM, a
/// `ConfigUnion` `{"architecture": "union", "configs": [PrefixTuningConfig, BnConfig]}`.
///
/// Reading looks at every key (as the LoRA reader does): a key the `adapters` dataclasses do not have is
/// refused, and so is a setting whose effect LNTune does not implement (adapter LayerNorms, gating, PHM layers,
/// learned scaling, …), naming the key. Settings that change only training (dropout, stochastic depth, the
/// initialisation seed) are read past: the adapter computes the same at inference.
enum AdapterHubConfig {
    static let fileName = "adapter_config.json"
    static let version = "adapters.1.3.0"

    /// What a file says: the adapter's name (part of every weight key), the method and options, the base model.
    struct Contents {
        var name: String
        var method: any TuningMethod
        var baseModel: String?
    }

    /// Whether `url` is AdapterHub's config rather than PEFT's: a `config` object and no `peft_type`.
    static func isAdapterHub(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url),
            case let .object(members)? = try? JSONDecoder().decode(AdapterHubJSON.self, from: data)
        else { return false }
        return members["config"] != nil && members["peft_type"] == nil
    }

    // MARK: - Writing

    static func write(_ contents: Contents, model: GPT2Config, to url: URL) throws(TuningError) {
        let config: AdapterHubJSON
        switch contents.method {
        case let method as BottleneckTuning:
            config = bottleneck(method.options)
        case let method as MAMTuning:
            config = .object([
                "architecture": .string("union"),
                "configs": .array([prefixTuning(method.prefixOptions), bottleneck(method.adapter)]),
            ])
        default:
            throw .invalidAdapter(file: url.path, reason: "\(contents.method.name) has no AdapterHub layout")
        }
        let document = AdapterHubJSON.object([
            "config": config, "hidden_size": .int(model.nEmbd), "model_class": .string("GPT2LMHeadModel"),
            "model_name": contents.baseModel.map(AdapterHubJSON.string) ?? .null, "model_type": .string("gpt2"),
            "name": .string(contents.name), "version": .string(version),
        ])
        do {
            try Data(document.text.utf8).write(to: url, options: .atomic)
        } catch {
            throw .model(.writeFailed(file: url.path, reason: error.localizedDescription))
        }
    }

    /// Every key of `BnConfig.to_dict()`, LNTune's options where it has them and AdapterHub's defaults elsewhere.
    static func bottleneck(_ o: BottleneckOptions) -> AdapterHubJSON {
        let factor: AdapterHubJSON =
            o.reductionFactor == o.reductionFactor.rounded() && abs(o.reductionFactor) < 1e15
            ? .int(Int(o.reductionFactor)) : .float(o.reductionFactor)
        return .object([
            "adapter_residual_before_ln": .bool(false), "cross_adapter": .bool(false), "dropout": .float(0),
            "factorized_phm_W": .bool(true), "factorized_phm_rule": .bool(false),
            "hypercomplex_nonlinearity": .string("glorot-uniform"), "init_weights": .string(o.initialisation.rawValue),
            "init_weights_seed": .null, "inv_adapter": .null, "inv_adapter_reduction_factor": .null,
            "is_parallel": .bool(o.placement == .parallel), "learn_phm": .bool(true),
            "leave_out": .array(o.leaveOut.map(AdapterHubJSON.int)), "ln_after": .bool(false),
            "ln_before": .bool(false), "mh_adapter": .bool(o.attention),
            "non_linearity": .string(o.nonlinearity.rawValue),
            "original_ln_after": .bool(true), "original_ln_before": .bool(o.placement == .residualStream),
            "output_adapter": .bool(o.mlp), "phm_bias": .bool(true), "phm_c_init": .string("normal"),
            "phm_dim": .int(4), "phm_init_range": .float(0.0001), "phm_layer": .bool(false), "phm_rank": .int(1),
            "reduction_factor": factor, "residual_before_ln": .bool(true), "scaling": .float(o.scaling),
            "shared_W_phm": .bool(false), "shared_phm_rule": .bool(true), "stochastic_depth": .float(0),
            "use_gating": .bool(false),
        ])
    }

    /// Every key of `PrefixTuningConfig.to_dict()`.
    static func prefixTuning(_ o: PrefixTuningOptions) -> AdapterHubJSON {
        let hidden: Int
        switch o.projection {
        case .direct: hidden = 512  // unused with `flat`; AdapterHub's default
        case let .mlp(h): hidden = h
        }
        return .object([
            "architecture": .string("prefix_tuning"), "bottleneck_size": .int(hidden), "cross_prefix": .bool(true),
            "dropout": .float(0), "encoder_prefix": .bool(true), "flat": .bool(o.projection == .direct),
            "init_weights_seed": .null, "leave_out": .array([]), "non_linearity": .string("tanh"),
            "prefix_length": .int(o.virtualTokens), "shared_gating": .bool(true), "use_gating": .bool(false),
        ])
    }

    // MARK: - Reading

    static func read(_ url: URL, model: GPT2Config) throws(TuningError) -> Contents {
        let fields = Fields(url: url, object: try object(url), path: "")
        try fields.check(known: ["config", "hidden_size", "model_class", "model_name", "model_type", "name", "version"])
        if let type = try fields.string("model_type"), type != "gpt2" {
            throw .invalidAdapter(file: url.path, reason: "model_type '\(type)': LNTune runs GPT-2 (gpt2)")
        }
        if let hidden = try fields.int("hidden_size"), hidden != model.nEmbd {
            throw .invalidAdapter(
                file: url.path, reason: "hidden_size \(hidden) does not match the model's n_embd \(model.nEmbd)")
        }
        guard let name = try fields.string("name"), !name.isEmpty, !name.contains(".") else {
            throw .invalidAdapter(file: url.path, reason: "name: expected the adapter's name (no dots)")
        }
        let config = try fields.nested("config")
        let method: any TuningMethod
        switch try config.string("architecture") {
        case nil, "bottleneck"?:
            let options = try bottleneckOptions(config)
            method = BottleneckTuning(BottleneckTuning.Kind(options), options: options)
        case "union"?:
            let parts = try config.list("configs")
            guard parts.count == 2, try parts[0].string("architecture") == "prefix_tuning",
                (try parts[1].string("architecture")).map({ $0 == "bottleneck" }) ?? true
            else {
                throw .invalidAdapter(
                    file: url.path,
                    reason: "config.configs: LNTune reads one union, MAM's [prefix_tuning, a parallel bottleneck]")
            }
            let adapter = try bottleneckOptions(parts[1])
            guard adapter.placement == .parallel else {
                throw .invalidAdapter(
                    file: url.path, reason: "config.configs[1]: MAM's adapter is parallel (is_parallel)")
            }
            method = MAMTuning(prefix: try prefixOptions(parts[0]), adapter: adapter)
        case let other?:
            throw .unsupportedAdapter(file: url.path, type: "AdapterHub \(other)")
        }
        return Contents(name: name, method: method, baseModel: try fields.string("model_name"))
    }

    private static func object(_ url: URL) throws(TuningError) -> [String: AdapterHubJSON] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .missingFile(path: url.path, hint: "expected in an adapter folder")
        }
        let document: AdapterHubJSON
        do {
            document = try JSONDecoder().decode(AdapterHubJSON.self, from: Data(contentsOf: url))
        } catch {
            throw .invalidAdapter(file: url.path, reason: "not JSON: \(error.localizedDescription)")
        }
        guard case let .object(members) = document else {
            throw .invalidAdapter(file: url.path, reason: "not a JSON object")
        }
        return members
    }

    /// The keys of `BnConfig` that LNTune reads past (they change training only, or name machinery GPT-2 does not
    /// have) and those that must keep AdapterHub's default.
    private static let bottleneckIgnored = [
        "architecture", "dropout", "stochastic_depth", "init_weights_seed", "adapter_residual_before_ln",
        "cross_adapter", "inv_adapter_reduction_factor", "phm_dim", "factorized_phm_W", "shared_W_phm",
        "shared_phm_rule", "factorized_phm_rule", "phm_c_init", "phm_init_range", "learn_phm",
        "hypercomplex_nonlinearity", "phm_rank", "phm_bias",
    ]
    private static let bottleneckRead = [
        "mh_adapter", "output_adapter", "reduction_factor", "non_linearity", "original_ln_before",
        "original_ln_after", "residual_before_ln", "is_parallel", "scaling", "init_weights", "leave_out",
    ]

    private static func bottleneckOptions(_ f: Fields) throws(TuningError) -> BottleneckOptions {
        try f.check(
            known: bottleneckRead + bottleneckIgnored + [
                "ln_before", "ln_after", "use_gating", "phm_layer", "inv_adapter",
            ])
        for (key, hint) in [
            ("ln_before", "adapter LayerNorms are not implemented"),
            ("ln_after", "adapter LayerNorms are not implemented"),
            ("use_gating", "gated adapters (UniPELT) are not implemented"),
            ("phm_layer", "PHM (Compacter) layers are not implemented"),
        ] where try f.bool(key) == true {
            throw f.refuse(key, "true is not supported: \(hint)")
        }
        if let inv = f.raw("inv_adapter"), inv != .null {
            throw f.refuse("inv_adapter", "\(inv.shortText) is not supported: invertible adapters are not implemented")
        }
        guard try f.bool("original_ln_after") ?? true else {
            throw f.refuse("original_ln_after", "false is not supported: GPT-2's residual connection would be dropped")
        }
        let parallel = try f.bool("is_parallel") ?? false
        let lnBefore = try f.bool("original_ln_before") ?? false
        if !parallel, lnBefore {
            // The sub-layer input would be added twice (as the adapter's residual and again after it).
            let before = f.raw("residual_before_ln") ?? .bool(true)
            guard before == .bool(true) else {
                throw f.refuse(
                    "residual_before_ln",
                    "\(before.shortText) is not supported with original_ln_before on GPT-2:"
                        + " only true (the residual taken before the sum)")
            }
        }
        guard let factorValue = f.raw("reduction_factor") else { throw f.refuse("reduction_factor", "is missing") }
        guard let factor = factorValue.number else {
            throw f.refuse(
                "reduction_factor", "\(factorValue.shortText) is not supported: only one number for every block")
        }
        guard let nonlinearityName = try f.string("non_linearity") else {
            throw f.refuse("non_linearity", "is missing")
        }
        guard let nonlinearity = Nonlinearity(adapterHubName: nonlinearityName) else {
            throw f.refuse(
                "non_linearity",
                "'\(nonlinearityName)' is not supported; LNTune has "
                    + Nonlinearity.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let scalingValue = f.raw("scaling") ?? .float(1)
        guard let scaling = scalingValue.number else {
            throw f.refuse(
                "scaling", "\(scalingValue.shortText) is not supported: only a fixed number (no learned scaling)")
        }
        let initName = try f.string("init_weights") ?? "bert"
        guard let initialisation = BottleneckOptions.Initialisation(rawValue: initName) else {
            throw f.refuse("init_weights", "'\(initName)': expected bert, mam_adapter or houlsby")
        }
        let options = BottleneckOptions(
            attention: try f.bool("mh_adapter") ?? false, mlp: try f.bool("output_adapter") ?? false,
            placement: parallel ? .parallel : (lnBefore ? .residualStream : .branchOutput), reductionFactor: factor,
            nonlinearity: nonlinearity, scaling: scaling, initialisation: initialisation,
            leaveOut: try f.list("leave_out", optional: true).map { value throws(TuningError) in
                guard case let .int(layer) = value else { throw f.refuse("leave_out", "expected block numbers") }
                return layer
            })
        guard options.reductionFactor.isFinite, options.reductionFactor > 0, options.scaling.isFinite else {
            throw f.refuse("reduction_factor", "and scaling must be finite, the factor positive")
        }
        return options
    }

    private static func prefixOptions(_ f: Fields) throws(TuningError) -> PrefixTuningOptions {
        try f.check(known: [
            "architecture", "encoder_prefix", "cross_prefix", "leave_out", "flat", "prefix_length", "bottleneck_size",
            "non_linearity", "dropout", "use_gating", "shared_gating", "init_weights_seed",
        ])
        if try f.bool("use_gating") == true { throw f.refuse("use_gating", "true is not supported: gated prefixes") }
        if let nonlinearity = try f.string("non_linearity"), nonlinearity.lowercased() != "tanh" {
            throw f.refuse("non_linearity", "'\(nonlinearity)' is not supported: the prefix MLP uses tanh")
        }
        if !(try f.list("leave_out", optional: true)).isEmpty {
            throw f.refuse("leave_out", "is not supported: the prefix goes in front of every block")
        }
        guard let length = try f.int("prefix_length"), length >= 0 else {
            throw f.refuse("prefix_length", "expected a whole number, 0 or more")
        }
        let flat = try f.bool("flat") ?? false
        let hidden = try f.int("bottleneck_size") ?? 512
        guard flat || hidden > 0 else { throw f.refuse("bottleneck_size", "\(hidden): must be positive") }
        return PrefixTuningOptions(
            virtualTokens: length, projection: flat ? .direct : .mlp(hidden: hidden), shiftsPositions: false)
    }
}

/// A JSON object of the config with its path in the file, for typed reads that name the key on failure.
private struct Fields {
    let url: URL
    let object: [String: AdapterHubJSON]
    let path: String

    func raw(_ key: String) -> AdapterHubJSON? { object[key] }

    func refuse(_ key: String, _ reason: String) -> TuningError {
        .invalidAdapter(file: url.path, reason: "\(path)\(key) \(reason)")
    }

    /// Refuses a key the `adapters` 1.3.0 dataclass does not have.
    func check(known: [String]) throws(TuningError) {
        let allowed = Set(known)
        if let stray = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw refuse(stray, "is an unknown field (AdapterHub adapters 1.3.0 has no such key here)")
        }
    }

    /// The value, or nil when absent or null.
    private func value(_ key: String) -> AdapterHubJSON? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func bool(_ key: String) throws(TuningError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case let .bool(b) = value else { throw refuse(key, "\(value.shortText): expected true or false") }
        return b
    }

    func int(_ key: String) throws(TuningError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case let .int(i) = value else { throw refuse(key, "\(value.shortText): expected a whole number") }
        return i
    }

    func string(_ key: String) throws(TuningError) -> String? {
        guard let value = value(key) else { return nil }
        guard case let .string(s) = value else { throw refuse(key, "\(value.shortText): expected a string") }
        return s
    }

    func nested(_ key: String) throws(TuningError) -> Fields {
        guard case let .object(members)? = value(key) else { throw refuse(key, "expected an object") }
        return Fields(url: url, object: members, path: path + key + ".")
    }

    /// A list of objects (`configs`).
    func list(_ key: String) throws(TuningError) -> [Fields] {
        guard case let .array(items)? = value(key) else { throw refuse(key, "expected a list") }
        var out: [Fields] = []
        for (i, item) in items.enumerated() {
            guard case let .object(members) = item else { throw refuse(key, "[\(i)]: expected an object") }
            out.append(Fields(url: url, object: members, path: path + "\(key)[\(i)]."))
        }
        return out
    }

    /// A list of plain values (`leave_out`), empty when absent and `optional`.
    func list(_ key: String, optional: Bool) throws(TuningError) -> [AdapterHubJSON] {
        guard let value = value(key) else {
            if optional { return [] }
            throw refuse(key, "is missing")
        }
        guard case let .array(items) = value else { throw refuse(key, "\(value.shortText): expected a list") }
        return items
    }
}
