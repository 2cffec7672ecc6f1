import Foundation
import GPT2

/// The three-way agreement a PEFT LN_TUNING folder must show before LNTune applies it: what
/// `adapter_config.json`'s `target_modules` selects in this model, the LayerNorms whose values
/// `adapter_model.safetensors` holds, and the LayerNorms the model has.
///
/// The tensors alone cannot tell an adapter of a shallower model: one trained on 4 blocks holds `h.0`–`h.3`,
/// which all exist in a 6-block model, and would leave `h.4`, `h.5` untuned without a word. Its
/// `target_modules` (`["ln_1", "ln_2", "ln_f"]`: every block) selects `h.4` and `h.5` here, which the file
/// lacks, so the mismatch shows.
enum LNTargetModules {
    /// PEFT's module names for GPT-2's LayerNorms in a `GPT2LMHeadModel` (`transformer.h.3.ln_2`), which its
    /// `target_modules` are matched against.
    static func moduleKey(_ norm: LayerNormModule) -> String { "transformer." + norm.huggingFaceName }

    /// Every LayerNorm of a model of `config`.
    static func modelNorms(_ config: GPT2Config) -> [LayerNormModule] {
        LNTuningOptions().selectedNorms(layerCount: config.nLayer)
    }

    /// Refuses a folder whose `target_modules`, tensors and model disagree. `targets` nil (a config PEFT would
    /// not write) stands for PEFT's default for GPT-2, every `ln_1`, `ln_2` and `ln_f`. When LNTune recorded the
    /// method (`recorded`), selected modules missing from the weights are left to the loader's `AdapterFit`,
    /// which names the method's blocks and both model shapes.
    static func check(
        _ targets: PEFTAdapterConfig.TargetModules?, held: Set<LayerNormModule>, model: GPT2Config,
        configPath: String, recorded: Bool
    ) throws(TuningError) {
        let all = modelNorms(model)
        let matches: (LayerNormModule) -> Bool
        switch targets ?? .names(["ln_1", "ln_2", "ln_f"]) {
        case let .names(names):
            for name in names where !all.contains(where: { Self.matches(name, moduleKey($0)) }) {
                throw .invalidAdapter(
                    file: configPath,
                    reason: "target_modules names '\(name)', which is no LayerNorm of this model (\(model.nLayer)"
                        + " blocks, h.0–h.\(model.nLayer - 1)): was the adapter trained on a deeper model?")
            }
            matches = { norm in names.contains { Self.matches($0, moduleKey(norm)) } }
        case let .pattern(pattern):
            let regex: NSRegularExpression
            do {
                regex = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
            } catch {
                throw .invalidAdapter(
                    file: configPath, reason: "target_modules '\(pattern)' is not a regular expression")
            }
            matches = { norm in fullMatch(regex, moduleKey(norm)) }
        }
        let selected = all.filter(matches)
        if let extra = held.sorted(by: order).first(where: { !selected.contains($0) }) {
            throw .invalidAdapter(
                file: configPath,
                reason: "the weights hold \(extra.huggingFaceName), which target_modules does not select: the config"
                    + " and the weights do not belong together")
        }
        let missing = selected.filter { !held.contains($0) }
        guard missing.isEmpty || recorded else {
            let blocks = Set(held.compactMap(\.layer)).sorted()
            let heldSpan = blocks.first.map { "h.\($0)–h.\(blocks.last ?? $0)" } ?? "no block"
            throw .invalidAdapter(
                file: configPath,
                reason: "target_modules selects \(selected.count) LayerNorms of this \(model.nLayer)-block model but"
                    + " the weights hold no values for \(missing.count) of them (\(describe(missing)); they hold"
                    + " \(heldSpan)): was the adapter trained on a model with fewer blocks?")
        }
    }

    /// PEFT's rule for a list entry: the module key itself or a suffix after a dot.
    static func matches(_ target: String, _ key: String) -> Bool { key == target || key.hasSuffix("." + target) }

    /// PEFT's rule for a string, `re.fullmatch(pattern, key)` (the regex is anchored at both ends).
    static func fullMatch(_ regex: NSRegularExpression, _ key: String) -> Bool {
        regex.firstMatch(in: key, range: NSRange(key.startIndex..., in: key)) != nil
    }

    private static func order(_ a: LayerNormModule, _ b: LayerNormModule) -> Bool {
        (a.layer ?? Int.max, a.module) < (b.layer ?? Int.max, b.module)
    }

    private static func describe(_ norms: [LayerNormModule]) -> String {
        let names = norms.map(\.huggingFaceName)
        return names.count <= 3
            ? names.joined(separator: ", ") : "\(names[0]), \(names[1]), … \(names[names.count - 1])"
    }
}

extension GPT2Tensor {
    /// The LayerNorm module this tensor belongs to (its gain or bias), or nil for any other tensor.
    var layerNormModule: LayerNormModule? {
        switch self {
        case .finalNormWeight, .finalNormBias: return LayerNormModule(layer: nil, module: .final)
        case .block(let layer, .ln1Weight), .block(let layer, .ln1Bias):
            return LayerNormModule(layer: layer, module: .attn)
        case .block(let layer, .ln2Weight), .block(let layer, .ln2Bias):
            return LayerNormModule(layer: layer, module: .mlp)
        default: return nil
        }
    }
}
