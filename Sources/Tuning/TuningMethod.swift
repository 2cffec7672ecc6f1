import GPT2

/// A parameter-efficient tuning method: which tensors of a frozen GPT-2 train, and which extra parameters
/// (prefix slots) it adds. Like PEFT's tuners, each method is a small type in its own folder; the optimizer,
/// the backward pass and the adapter writer only ever see the selection it returns.
public protocol TuningMethod: Sendable, CustomStringConvertible {
    /// The CLI name (`ln`, `prefix`, `prefix+ln`, `bitfit`, `full`).
    var kind: TuningMethodKind { get }
    /// The base-model tensors this method trains, in layout order.
    func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor]
    /// Prefix slots this method adds, or nil.
    var prefix: PrefixTuningOptions? { get }
    /// The method and its options as recorded in adapter and checkpoint files.
    var configuration: TuningConfiguration { get }
}

extension TuningMethod {
    public var prefix: PrefixTuningOptions? { nil }

    /// The selection the trainer hands to the model's backward pass and to the optimizer.
    public func selection(for layout: ParameterLayout) -> TrainableSelection {
        TrainableSelection(layout: layout, tensors: trainableTensors(in: layout), prefix: prefix)
    }
}

/// The methods users choose from on the command line.
public enum TuningMethodKind: String, CaseIterable, Sendable, Codable {
    case ln
    case prefix
    case prefixLN = "prefix+ln"
    case bitfit
    case full

    public var summary: String {
        switch self {
        case .ln: return "LN-Tuning (Qi et al. 2022): LayerNorm gains and biases"
        case .prefix: return "Prefix-Tuning (Li & Liang 2021): trainable key/value prefixes"
        case .prefixLN: return "Prefix-Tuning and LN-Tuning together"
        case .bitfit: return "BitFit: every bias"
        case .full: return "full fine-tuning: every parameter"
        }
    }
}

/// What trains: a set of base tensors (as ranges of the flat parameter buffer) plus optional prefix slots.
public struct TrainableSelection: Sendable {
    public let layout: ParameterLayout
    public let tensors: [GPT2Tensor]
    public let prefix: PrefixTuningOptions?

    public init(layout: ParameterLayout, tensors: [GPT2Tensor], prefix: PrefixTuningOptions?) {
        self.layout = layout
        self.tensors = tensors
        self.prefix = prefix
    }

    /// The request the model's backward pass takes: these tensors, and the prefix slots when the method has them.
    public var gradientRequest: GradientRequest { GradientRequest(tensors: Set(tensors), prefix: prefix != nil) }

    /// Ranges of the flat buffer that train, merged where adjacent, in ascending order (the request's ranges:
    /// one implementation decides what is zeroed, clipped and updated).
    public var ranges: [Range<Int>] { gradientRequest.ranges(in: layout) }

    /// Trainable base parameters (prefix parameters not included).
    public var baseParameterCount: Int { tensors.reduce(0) { $0 + layout.slot($1).count } }

    public func contains(_ tensor: GPT2Tensor) -> Bool { tensors.contains(tensor) }

    /// The lowest transformer block holding something trainable: backward need not go below it. Prefix slots
    /// live in every layer, and the embeddings below block 0, so either means "all the way down".
    public var lowestTrainableLayer: Int? {
        if prefix != nil || tensors.contains(.tokenEmbedding) || tensors.contains(.positionEmbedding) { return 0 }
        return tensors.compactMap { if case let .block(layer, _) = $0 { return layer } else { return nil } }.min()
    }
}
