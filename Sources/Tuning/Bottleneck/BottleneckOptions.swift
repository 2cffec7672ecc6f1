import Foundation
import GPT2
import Kernels

/// A bottleneck adapter as AdapterHub's `BnConfig` describes one, restricted to what GPT-2 uses: where the
/// adapters sit, what they read, their width, non-linearity, scaling and initialisation.
///
/// On GPT-2, AdapterHub hands its bottleneck layers no Transformer LayerNorm, so each adapter adds
/// s·up(f(down(input))) to the stream after its sub-layer (x + h, x the stream into the sub-layer, h its output),
/// and `placement` says what `input` is (`adapters/methods/modeling.py`, `pre_forward`):
///
/// - `residualStream`: x + h, the stream after the sub-layer (`original_ln_before`: Pfeiffer's `SeqBnConfig`);
/// - `branchOutput`: h alone (`original_ln_before` false: Houlsby's `DoubleSeqBnConfig`);
/// - `parallel`: x, the sub-layer's input, in parallel to it (`is_parallel`: He et al.'s `ParBnConfig`).
public struct BottleneckOptions: Equatable, Sendable, CustomStringConvertible {
    public enum Placement: String, Sendable, Codable, CaseIterable {
        case residualStream = "residual-stream"
        case branchOutput = "branch-output"
        case parallel
    }

    /// AdapterHub's `init_weights`.
    public enum Initialisation: String, Sendable, Codable, CaseIterable {
        /// Both projections N(0, 0.02), biases zero (BERT's `init_bert_weights`).
        case bert
        /// The down-projection as torch's `nn.Linear` (U(±1/√C)), everything else zero: the adapter starts as
        /// the identity (He et al.'s MAM adapter).
        case mamAdapter = "mam_adapter"
        /// Both projections N(0, 0.01) truncated to ±0.02, biases zero.
        case houlsby
    }

    /// After the attention sub-layer (`mh_adapter`) and after / parallel to the FFN (`output_adapter`).
    public var attention: Bool
    public var mlp: Bool
    public var placement: Placement
    /// Hidden width = ⌊n_embd / reduction factor⌋, at least 1.
    public var reductionFactor: Double
    public var nonlinearity: Nonlinearity
    /// AdapterHub's fixed `scaling` (a Python float; the kernel multiplies in Float).
    public var scaling: Double
    public var initialisation: Initialisation
    /// Blocks without adapters (`leave_out`).
    public var leaveOut: [Int]

    public init(
        attention: Bool, mlp: Bool, placement: Placement, reductionFactor: Double, nonlinearity: Nonlinearity,
        scaling: Double = 1, initialisation: Initialisation = .bert, leaveOut: [Int] = []
    ) {
        self.attention = attention
        self.mlp = mlp
        self.placement = placement
        self.reductionFactor = reductionFactor
        self.nonlinearity = nonlinearity
        self.scaling = scaling
        self.initialisation = initialisation
        self.leaveOut = leaveOut
    }

    /// AdapterHub's `SeqBnConfig` (Pfeiffer et al. 2021): after the FFN on the stream, reduction 16, ReLU.
    public static let sequential = BottleneckOptions(
        attention: false, mlp: true, placement: .residualStream, reductionFactor: 16, nonlinearity: .relu)
    /// AdapterHub's `DoubleSeqBnConfig` (Houlsby et al. 2019): after attention and after the FFN, reading the
    /// sub-layer's output, reduction 16, swish.
    public static let houlsby = BottleneckOptions(
        attention: true, mlp: true, placement: .branchOutput, reductionFactor: 16, nonlinearity: .swish)
    /// AdapterHub's `ParBnConfig` (He et al. 2022): parallel to the FFN, reduction 2, ReLU, scaling 4, starting
    /// as the identity.
    public static let parallel = BottleneckOptions(
        attention: false, mlp: true, placement: .parallel, reductionFactor: 2, nonlinearity: .relu, scaling: 4,
        initialisation: .mamAdapter)

    /// The hidden width on a model `channels` wide: AdapterHub's `int(hidden_size // reduction_factor)`, at
    /// least 1.
    public func bottleneckSize(channels: Int) -> Int {
        max(1, Int((Double(channels) / reductionFactor).rounded(.down)))
    }

    /// Where the adapters sit in a model of `layerCount` blocks, block by block. A parallel adapter on the
    /// attention reads the same stream input as one after it, so `afterAttention` serves both.
    public func sites(layerCount: Int) -> [HookSite] {
        let skipped = Set(leaveOut)
        var sites: [HookSite] = []
        for layer in 0..<layerCount where !skipped.contains(layer) {
            if attention { sites.append(HookSite(layer: layer, point: .afterAttention)) }
            if mlp { sites.append(HookSite(layer: layer, point: placement == .parallel ? .parallelMLP : .afterMLP)) }
        }
        return sites
    }

    /// Trainable parameters on a model of `config`: two projections with biases per site.
    public func trainableParameterCount(config: GPT2Config) -> Int {
        let (c, m) = (config.nEmbd, bottleneckSize(channels: config.nEmbd))
        return sites(layerCount: config.nLayer).count * (m * c + m + c * m + c)
    }

    public func validate(layerCount: Int) throws(TuningError) {
        try Self.reductionFactorBound.check(reductionFactor)
        guard scaling.isFinite else {
            throw .invalidOption(name: "adapter-scaling", value: "\(scaling)", hint: "must be a finite number")
        }
        guard attention || mlp else {
            throw .invalidOption(
                name: "adapter-sites", value: "none", hint: "an adapter needs the attention or the FFN sub-layer")
        }
        if let bad = leaveOut.first(where: { !(0..<layerCount).contains($0) }) {
            throw .invalidOption(
                name: "adapter-leave-out", value: "\(bad)", hint: "the model has blocks 0..<\(layerCount)")
        }
        guard !sites(layerCount: layerCount).isEmpty else {
            throw .invalidOption(
                name: "adapter-leave-out", value: leaveOut.map(String.init).joined(separator: ","),
                hint: "leaves no block with an adapter")
        }
    }

    public var description: String {
        let sublayers = [attention ? "attn" : nil, mlp ? "ffn" : nil].compactMap { $0 }.joined(separator: "+")
        var text =
            "\(sublayers), \(placement.rawValue), reduction \(Self.number(reductionFactor)), \(nonlinearity.rawValue)"
        if scaling != 1 { text += ", scaling \(Self.number(scaling))" }
        if !leaveOut.isEmpty { text += ", without blocks \(leaveOut.map(String.init).joined(separator: ","))" }
        return text
    }

    static func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}

extension BottleneckOptions: Codable {
    // {"attention": false, "mlp": true, "placement": "residual-stream", "reduction_factor": 16, …}
    private enum CodingKeys: String, CodingKey {
        case attention, mlp, placement
        case reductionFactor = "reduction_factor"
        case nonlinearity = "non_linearity"
        case scaling
        case initialisation = "init_weights"
        case leaveOut = "leave_out"
    }
}

extension BottleneckOptions {
    /// The command-line options (`--adapter-reduction-factor`, `--adapter-non-linearity`) over `defaults`.
    init(arguments: MethodArguments, defaults: BottleneckOptions) throws(TuningError) {
        self = defaults
        if let value = try Self.reductionFactorBound.read(arguments) { reductionFactor = value }
        if let text = arguments.string("adapter-non-linearity") {
            guard let value = Nonlinearity(adapterHubName: text) else {
                throw .invalidOption(
                    name: "adapter-non-linearity", value: text,
                    hint: "expected one of " + Nonlinearity.allCases.map(\.rawValue).joined(separator: ", "))
            }
            nonlinearity = value
        }
    }

    /// A positive reduction factor; above n_embd the bottleneck is one unit wide (AdapterHub would make it 0).
    static let reductionFactorBound = MethodBound(
        "adapter-reduction-factor", from: 0, included: false, to: 65_536, included: true)

    static let commandLineOptions = [
        MethodOption(
            "adapter-reduction-factor", .value(placeholder: "X"),
            help: reductionFactorBound.help(
                "Bottleneck width = n_embd / X (AdapterHub's reduction_factor; default 16; par-adapter, mam 2).")),
        MethodOption(
            "adapter-non-linearity", .value(placeholder: "NAME"),
            help: "relu, swish, gelu, gelu_new, tanh or leakyrelu (default relu; adapter-houlsby swish)."),
    ]
}
