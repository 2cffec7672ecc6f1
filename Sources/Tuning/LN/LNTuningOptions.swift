import Foundation
import GPT2

/// The LayerNorm terms: gain (weight) and bias.
public enum LNTerm: String, CaseIterable, Sendable, Codable, Comparable {
    case gain, bias
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One LayerNorm of the model: `h.{layer}.ln_1`, `h.{layer}.ln_2` or `ln_f` (layer nil).
public struct LayerNormModule: Hashable, Sendable {
    public let layer: Int?
    public let module: LNModule

    public init(layer: Int?, module: LNModule) {
        self.layer = layer
        self.module = module
    }

    /// The module's path in a Hugging Face `GPT2Model` (`h.3.ln_2`, `ln_f`).
    public var huggingFaceName: String { layer.map { "h.\($0).\(module.huggingFaceName)" } ?? module.huggingFaceName }

    public func tensor(_ term: LNTerm) -> GPT2Tensor {
        switch (module, term, layer) {
        case (.final, .gain, _), (_, .gain, nil): return .finalNormWeight
        case (.final, .bias, _), (_, .bias, nil): return .finalNormBias
        case let (.attn, .gain, layer?): return .block(layer, .ln1Weight)
        case let (.attn, .bias, layer?): return .block(layer, .ln1Bias)
        case let (.mlp, .gain, layer?): return .block(layer, .ln2Weight)
        case let (.mlp, .bias, layer?): return .block(layer, .ln2Bias)
        }
    }
}

/// Which LayerNorms: `attn` = ln_1, `mlp` = ln_2, `final` = ln_f.
public enum LNModule: String, CaseIterable, Sendable, Codable, Comparable {
    case attn, mlp, final
    public static func < (a: Self, b: Self) -> Bool { a.order < b.order }
    private var order: Int {
        switch self {
        case .attn: return 0
        case .mlp: return 1
        case .final: return 2
        }
    }

    /// The module's name in a Hugging Face GPT-2 (PEFT's `target_modules` use it).
    public var huggingFaceName: String {
        switch self {
        case .attn: return "ln_1"
        case .mlp: return "ln_2"
        case .final: return "ln_f"
        }
    }
}

/// The ablation space of LN-Tuning. The default — both terms of every LayerNorm — is the paper's method.
public struct LNTuningOptions: Equatable, Sendable, Codable, CustomStringConvertible {
    public var terms: Set<LNTerm>
    public var modules: Set<LNModule>
    /// Blocks whose `ln_1`/`ln_2` train; nil means all. `ln_f` is governed by `modules` alone.
    public var layers: ClosedRange<Int>?

    public init(
        terms: Set<LNTerm> = Set(LNTerm.allCases), modules: Set<LNModule> = Set(LNModule.allCases),
        layers: ClosedRange<Int>? = nil
    ) {
        self.terms = terms
        self.modules = modules
        self.layers = layers
    }

    /// Checks the options against a model: a layer range must lie inside it and something must train.
    public func validate(layerCount: Int) throws(TuningError) {
        if terms.isEmpty { throw .invalidOption(name: "ln-terms", value: "", hint: "choose gain, bias or both") }
        if modules.isEmpty { throw .invalidOption(name: "ln-modules", value: "", hint: "choose attn, mlp, final") }
        if let layers, layers.lowerBound < 0 || layers.upperBound >= layerCount {
            throw .invalidOption(
                name: "ln-layers", value: "\(layers.lowerBound)-\(layers.upperBound)",
                hint: "the model has layers 0-\(layerCount - 1)")
        }
        if tensors(layerCount: layerCount).isEmpty {
            throw .invalidOption(name: "ln-layers", value: description, hint: "this selection trains nothing")
        }
    }

    /// The selected tensors in layout order.
    public func tensors(layerCount: Int) -> [GPT2Tensor] {
        selectedNorms(layerCount: layerCount).flatMap { norm in
            LNTerm.allCases.filter { terms.contains($0) }.map { norm.tensor($0) }
        }
    }

    /// The LayerNorm modules these options touch (whatever the terms), in layout order: what an adapter
    /// stores, since PEFT replaces whole modules.
    public func selectedNorms(layerCount: Int) -> [LayerNormModule] {
        var result: [LayerNormModule] = []
        let blocks = layers.map { Array($0.clamped(to: 0...max(layerCount - 1, 0))) } ?? Array(0..<layerCount)
        for layer in blocks {
            for module in [LNModule.attn, .mlp] where modules.contains(module) {
                result.append(LayerNormModule(layer: layer, module: module))
            }
        }
        if modules.contains(.final) { result.append(LayerNormModule(layer: nil, module: .final)) }
        return result
    }

    public var description: String {
        let l = layers.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "all"
        return "terms: \(terms.sorted().map(\.rawValue).joined(separator: ",")); "
            + "modules: \(modules.sorted().map(\.rawValue).joined(separator: ",")); layers: \(l)"
    }
}

extension LNTuningOptions {
    /// Parses the CLI forms: terms `gain,bias`; modules `attn,mlp,final`; layers `12-23`, `5` or `all`.
    public static func parse(terms: String?, modules: String?, layers: String?) throws(TuningError) -> LNTuningOptions {
        var o = LNTuningOptions()
        if let terms { o.terms = try parseSet(terms, option: "ln-terms") }
        if let modules { o.modules = try parseSet(modules, option: "ln-modules") }
        if let layers, layers != "all" { o.layers = try parseLayerRange(layers) }
        return o
    }

    static func parseSet<T: RawRepresentable & CaseIterable & Hashable>(_ text: String, option: String)
        throws(TuningError)
        -> Set<T> where T.RawValue == String
    {
        var out = Set<T>()
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let v = T(rawValue: item) else {
                throw .invalidOption(
                    name: option, value: item,
                    hint: "expected one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            out.insert(v)
        }
        return out
    }

    static func parseLayerRange(_ text: String) throws(TuningError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let bounds = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard bounds.count == parts.count, (1...2).contains(bounds.count), bounds[0] <= bounds[bounds.count - 1] else {
            throw .invalidOption(name: "ln-layers", value: text, hint: "expected FIRST-LAST (e.g. 12-23), N or all")
        }
        return bounds[0]...bounds[bounds.count - 1]
    }
}

extension LNTuningOptions {
    // Sets are written sorted and the layer range as [first, last] (null = all), so the same options always
    // give the same bytes in adapter configs and checkpoints.
    private enum CodingKeys: String, CodingKey { case terms, modules, layers }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let bounds = try c.decodeIfPresent([Int].self, forKey: .layers)
        if let bounds, bounds.count != 2 || bounds[0] > bounds[1] {
            throw DecodingError.dataCorruptedError(
                forKey: .layers, in: c, debugDescription: "expected [first, last] with first <= last, or null")
        }
        self.init(
            terms: Set(try c.decode([LNTerm].self, forKey: .terms)),
            modules: Set(try c.decode([LNModule].self, forKey: .modules)),
            layers: bounds.map { $0[0]...$0[1] })
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(LNTerm.allCases.filter { terms.contains($0) }, forKey: .terms)
        try c.encode(modules.sorted(), forKey: .modules)
        if let layers {
            try c.encode([layers.lowerBound, layers.upperBound], forKey: .layers)
        } else {
            try c.encodeNil(forKey: .layers)
        }
    }
}
