import Foundation
import GPT2

/// LoRA (Hu et al. 2021) as PEFT's `LoraConfig` defines it: beside each targeted Linear W, a trainable
/// low-rank update — `out = x·W + b + scaling · dropout(x)·Aᵀ·Bᵀ` with `A` `[r, in]`, `B` `[out, r]` and
/// `scaling = lora_alpha / r`. GPT-2's Linears are `Conv1D` (`fan_in_fan_out=True`: W is `[in, out]`), so a
/// merge adds `scaling · (B·A)ᵀ` to W.
public struct LoRAOptions: Equatable, Sendable, Codable, CustomStringConvertible {
    /// PEFT's `target_modules`: module names matched against each block Linear's full name
    /// (`transformer.h.3.attn.c_attn`) as PEFT matches them — equal, or ending in "." + name — so `c_attn`,
    /// `c_proj` (both projections), `attn.c_proj`, `mlp.c_fc` or `h.3.attn.c_attn` all work; or one regular
    /// expression that must match a whole name (PEFT's `re.fullmatch`).
    public enum Targets: Equatable, Sendable {
        case names([String])
        case pattern(String)
    }

    public var rank: Int
    public var alpha: Double
    public var dropout: Float
    public var targets: Targets

    /// PEFT's defaults (r 8, lora_alpha 8, lora_dropout 0) on GPT-2's attention input projection, `c_attn` —
    /// what PEFT picks for GPT-2 when no target is given.
    public init(rank: Int = 8, alpha: Double = 8, dropout: Float = 0, targets: Targets = .names(["c_attn"])) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = targets
    }

    /// `lora_alpha / r`, the factor on the low-rank product.
    public var scaling: Float { Float(alpha / Double(rank)) }

    /// The full module name PEFT matches targets against.
    static func moduleName(layer: Int, _ linear: BlockLinear) -> String {
        "transformer.h.\(layer).\(linear.moduleName)"
    }

    /// Whether `target` (a `target_modules` entry) names the module `name`, by PEFT's rule.
    static func matches(_ target: String, _ name: String) -> Bool { name == target || name.hasSuffix("." + target) }

    /// The block Linears these targets name in a model of `layerCount` blocks, in (layer, Linear) order.
    func sites(layerCount: Int) throws(TuningError) -> [HookSite] {
        let regex: NSRegularExpression?
        switch targets {
        case .names: regex = nil
        case let .pattern(pattern):
            do {
                // Anchored at both ends, as Python's re.fullmatch tries every alternative against the whole name.
                regex = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
            } catch {
                throw .invalidOption(name: "lora-targets", value: pattern, hint: "not a regular expression: \(error)")
            }
        }
        var sites: [HookSite] = []
        for layer in 0..<layerCount {
            for linear in BlockLinear.allCases {
                let name = Self.moduleName(layer: layer, linear)
                let hit: Bool
                switch targets {
                case let .names(list): hit = list.contains { Self.matches($0, name) }
                case .pattern:
                    hit = regex?.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
                }
                if hit { sites.append(HookSite(layer: layer, point: .beside(linear))) }
            }
        }
        return sites
    }

    /// Checks the options against a model of `layerCount` blocks: `validate()`, and targets that name at least
    /// one block Linear (PEFT refuses targets it cannot find).
    func validate(layerCount: Int) throws(TuningError) {
        try validate()
        guard try !sites(layerCount: layerCount).isEmpty else {
            throw .invalidOption(
                name: "lora-targets", value: targetsText,
                hint: "names no Linear of GPT-2's blocks; LoRA applies to attn.c_attn, attn.c_proj, mlp.c_fc,"
                    + " mlp.c_proj (c_attn, c_proj, c_fc, or h.N.… for one block)")
        }
    }

    /// The command-line bounds: a rank up to 4,096 (GPT-2 XL's widest Linear input is 1,600), a positive alpha,
    /// a dropout in [0, 1).
    static let rankBound = MethodBound("lora-r", 1...4096)
    static let alphaBound = MethodBound("lora-alpha", from: 0, included: false, to: 1_000_000, included: true)
    static let dropoutBound = MethodBound("lora-dropout", from: 0, included: true, to: 1, included: false)

    /// A rank, alpha and dropout inside their bounds, at least one target.
    func validate() throws(TuningError) {
        try Self.rankBound.check(Double(rank))
        try Self.alphaBound.check(alpha)
        try Self.dropoutBound.check(Double(dropout))
        if case let .names(list) = targets, list.isEmpty {
            throw .invalidOption(name: "lora-targets", value: "", hint: "name at least one module")
        }
    }

    var targetsText: String {
        switch targets {
        case let .names(list): return list.joined(separator: ",")
        case let .pattern(pattern): return pattern
        }
    }

    public var description: String {
        "r \(rank), alpha \(Self.number(alpha)), dropout \(Self.number(Double(dropout))), targets \(targetsText)"
    }

    static func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}

extension LoRAOptions {
    // {"r": 8, "alpha": 8, "dropout": 0, "targets": ["c_attn"]} (or "targets": "regex") — PEFT's meanings.
    private enum CodingKeys: String, CodingKey {
        case rank = "r"
        case alpha, dropout, targets
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let targets: Targets
        if let names = try? c.decode([String].self, forKey: .targets) {
            targets = .names(names)
        } else {
            targets = .pattern(try c.decode(String.self, forKey: .targets))
        }
        self.init(
            rank: try c.decode(Int.self, forKey: .rank), alpha: try c.decode(Double.self, forKey: .alpha),
            dropout: try c.decode(Float.self, forKey: .dropout), targets: targets)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rank, forKey: .rank)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(dropout, forKey: .dropout)
        switch targets {
        case let .names(names): try c.encode(names, forKey: .targets)
        case let .pattern(pattern): try c.encode(pattern, forKey: .targets)
        }
    }
}
