import GPT2

/// A method's trainable module at the model's hook points (LoRA beside the Linears, bottleneck adapters after
/// or parallel to a sublayer): a `ModelExtension` whose parameters are named tensors in one flat buffer
/// outside the base model's, as the prefix encoder's are. The tuner trains `values` (one optimizer segment
/// per tensor, stored in training checkpoints under `name`), and the adapter writer stores them.
///
/// `TuningMethod.makeExtension(for:)` returns one zero-filled (the shape of what an adapter file holds);
/// `initialize(random:)` draws the method's initialisation for a new run.
public protocol TrainableExtension: ModelExtension, AnyObject {
    /// Every tensor, in `values` order.
    var tensors: [ExtensionTensor] { get }
    var values: FloatBuffer { get }
    /// The method's initialisation (PEFT's, AdapterHub's), drawn from `random` in tensor order.
    func initialize(random: inout TuningRandom)
    /// An independent copy with the same values (an adapter snapshot of a run that goes on training).
    func copy() -> any TrainableExtension
    /// Folds the module into the base weights (`lntune merge`), or throws `cannotMerge` saying why it cannot.
    func merge(into parameters: GPT2Parameters) throws(TuningError)
    /// The base tensors `merge(into:)` changes.
    var mergedTensors: [GPT2Tensor] { get }
}

/// One named tensor of a `TrainableExtension`: a range of its `values`.
public struct ExtensionTensor: Sendable, Equatable {
    /// The training-checkpoint segment name: the module's Hugging Face name and the tensor's
    /// (`transformer.h.0.attn.c_attn.lora_A.weight`).
    public let name: String
    public let shape: [Int]
    public let offset: Int
    /// HF Trainer's weight-decay rule (no decay for biases and LayerNorm weights).
    public let decays: Bool

    public init(name: String, shape: [Int], offset: Int, decays: Bool) {
        self.name = name
        self.shape = shape
        self.offset = offset
        self.decays = decays
    }

    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

extension TrainableExtension {
    public var parameterCount: Int { values.count }

    /// The storage of `tensor`.
    public func buffer(_ tensor: ExtensionTensor) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: values.base + tensor.offset, count: tensor.count)
    }

    /// The lowest block holding one of its hooks.
    var lowestLayer: Int? { hookSites.map(\.layer).min() }

    /// Lays `shapes` out one after another from offset 0.
    public static func layout(_ shapes: [(name: String, shape: [Int], decays: Bool)]) -> [ExtensionTensor] {
        var offset = 0
        return shapes.map { entry in
            defer { offset += entry.shape.reduce(1, *) }
            return ExtensionTensor(name: entry.name, shape: entry.shape, offset: offset, decays: entry.decays)
        }
    }
}
