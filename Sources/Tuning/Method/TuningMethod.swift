import Foundation
import GPT2

/// A parameter-efficient tuning method with its options: which tensors of a frozen GPT-2 train, which extra
/// parameters (prefix slots) it adds, and how its adapter folder is written and read.
///
/// Like PEFT's `tuners/<method>/`, each method lives in one folder of this target (`LN/`, `Prefix/`,
/// `BitFit/`, `Full/`) holding its options and defaults, its trainable tensors, its adapter layout and its
/// command-line options, and is listed once in `TuningMethods.entries`. The optimizer, the backward pass and
/// the trainer only ever see the `TrainableSelection` a method returns.
public protocol TuningMethod: Sendable, CustomStringConvertible {
    /// The name the command line and the files use (`ln`, `prefix+ln`).
    var name: String { get }
    /// The options in words, for logs (`10 virtual tokens, MLP hidden 512`).
    var optionsDescription: String { get }
    /// The peak learning rate used when `--lr` is not given.
    var defaultLearningRate: Double { get }
    /// The methods this one is made of: itself, or the parts of a combination (`prefix+ln`).
    var parts: [any TuningMethod] { get }

    /// Checks the options against the model they will tune.
    func validate(for config: GPT2Config) throws(TuningError)
    /// The base-model tensors this method trains, in layout order.
    func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor]
    /// Prefix slots this method adds, or nil.
    var prefix: PrefixTuningOptions? { get }
    /// The module this method adds at the model's hook points (zero-filled), or nil.
    func makeExtension(for config: GPT2Config) -> (any TrainableExtension)?

    /// The base tensors its adapter stores (by default the trained ones).
    func storedTensors(in layout: ParameterLayout) -> [GPT2Tensor]
    /// True when the adapter is a whole model (full fine-tuning).
    var storesWholeModel: Bool { get }
    /// Writes the adapter in this method's layout (the folder exists).
    func writeAdapter(_ adapter: Adapter, to directory: URL) throws(TuningError)
    /// Reads an adapter of this method from a folder whose `lntune_adapter.json` names it.
    func readAdapter(from directory: URL, manifest: LNTuneAdapterManifest, modelConfig: GPT2Config)
        throws(TuningError) -> Adapter
    /// A Python statement that loads such an adapter folder onto `base`, assigning the model to `m`.
    func pythonRecipe(base: String, folder: String) -> String

    /// Writes the options under the method's key of its `{"method": NAME, NAME: {…}}` JSON object.
    func encodeOptions(to container: inout KeyedEncodingContainer<MethodJSONKey>) throws
    /// Same method with the same options.
    func isEqual(to other: any TuningMethod) -> Bool
}

extension TuningMethod {
    public var description: String { optionsDescription.isEmpty ? name : "\(name) (\(optionsDescription))" }
    public var parts: [any TuningMethod] { [self] }
    public var prefix: PrefixTuningOptions? { nil }
    public func makeExtension(for config: GPT2Config) -> (any TrainableExtension)? { nil }
    public func storedTensors(in layout: ParameterLayout) -> [GPT2Tensor] { trainableTensors(in: layout) }
    public var storesWholeModel: Bool { false }

    /// A folder with a manifest naming a PEFT method holds a plain PEFT adapter.
    public func readAdapter(from directory: URL, manifest: LNTuneAdapterManifest, modelConfig: GPT2Config)
        throws(TuningError) -> Adapter
    {
        try AdapterFiles.readPEFT(directory, modelConfig: modelConfig)
    }

    /// PEFT adapters load with `PeftModel.from_pretrained`.
    public func pythonRecipe(base: String, folder: String) -> String {
        "m = PeftModel.from_pretrained(\(base), '\(folder)')"
    }

    /// The selection the trainer hands to the model's backward pass and to the optimizer.
    public func selection(for layout: ParameterLayout) -> TrainableSelection {
        let module = makeExtension(for: layout.config)
        return TrainableSelection(
            layout: layout, tensors: trainableTensors(in: layout), prefix: prefix,
            extensionParameterCount: module?.parameterCount ?? 0, extensionLowestLayer: module?.lowestLayer)
    }
}

extension TuningMethod where Self: Equatable {
    public func isEqual(to other: any TuningMethod) -> Bool { (other as? Self) == self }
}

/// The keys of a method's JSON object: `"method"` and one key per method part holding its options.
public struct MethodJSONKey: CodingKey, Hashable, Sendable {
    public let stringValue: String
    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public var intValue: Int? { nil }
    public init?(intValue: Int) { nil }

    static let method = MethodJSONKey("method")
}

/// What trains: a set of base tensors (as ranges of the flat parameter buffer) plus optional prefix slots and
/// the parameters of a module at the model's hook points (`TrainableExtension`).
public struct TrainableSelection: Sendable {
    public let layout: ParameterLayout
    public let tensors: [GPT2Tensor]
    public let prefix: PrefixTuningOptions?
    /// Parameters of the method's hook-point module (0 without one), and the lowest block it hooks into.
    public let extensionParameterCount: Int
    public let extensionLowestLayer: Int?

    public init(
        layout: ParameterLayout, tensors: [GPT2Tensor], prefix: PrefixTuningOptions?, extensionParameterCount: Int = 0,
        extensionLowestLayer: Int? = nil
    ) {
        self.layout = layout
        self.tensors = tensors
        self.prefix = prefix
        self.extensionParameterCount = extensionParameterCount
        self.extensionLowestLayer = extensionLowestLayer
    }

    /// The request the model's backward pass takes: these tensors, the prefix slots and the hook-point module
    /// when the method has them.
    public var gradientRequest: GradientRequest {
        GradientRequest(tensors: Set(tensors), prefix: prefix != nil, extensionParameters: extensionParameterCount > 0)
    }

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
        let blocks = tensors.compactMap { if case let .block(layer, _) = $0 { return layer } else { return nil } }
        return (blocks + [extensionLowestLayer].compactMap { $0 }).min()
    }
}

extension GPT2Tensor {
    /// A LayerNorm gain or bias (`ln_1`, `ln_2`, `ln_f`).
    var isLayerNorm: Bool {
        switch self {
        case .finalNormWeight, .finalNormBias: return true
        case let .block(_, t): return t.isLayerNorm
        default: return false
        }
    }

    /// Any bias: attention, MLP and LayerNorm biases.
    var isBias: Bool {
        switch self {
        case .finalNormBias: return true
        case let .block(_, t): return t.isBias
        default: return false
        }
    }
}
