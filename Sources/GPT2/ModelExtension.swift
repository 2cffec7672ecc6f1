import Kernels

/// One of the four Linears (Hugging Face `Conv1D`, weight `[in, out]`) of a transformer block.
public enum BlockLinear: Int, CaseIterable, Hashable, Sendable {
    /// `attn.c_attn`: ln_1 output `[N, C]` → q|k|v `[N, 3C]`.
    case attnQKV
    /// `attn.c_proj`: attention output `[N, C]` → `[N, C]`.
    case attnProj
    /// `mlp.c_fc`: ln_2 output `[N, C]` → `[N, 4C]` (before GELU).
    case mlpFC
    /// `mlp.c_proj`: GELU output `[N, 4C]` → `[N, C]`.
    case mlpProj

    /// The module name under `h.{i}.` (`attn.c_attn`), as PEFT and AdapterHub match it.
    public var moduleName: String {
        switch self {
        case .attnQKV: return "attn.c_attn"
        case .attnProj: return "attn.c_proj"
        case .mlpFC: return "mlp.c_fc"
        case .mlpProj: return "mlp.c_proj"
        }
    }

    /// Input and output widths.
    public func shape(_ config: GPT2Config) -> (inFeatures: Int, outFeatures: Int) {
        let (c, h) = (config.nEmbd, config.innerSize)
        switch self {
        case .attnQKV: return (c, 3 * c)
        case .attnProj: return (c, c)
        case .mlpFC: return (c, h)
        case .mlpProj: return (h, c)
        }
    }
}

/// A named place in a transformer block where a `ModelExtension` adds its own kernels (AdapterHub's
/// `mh_adapter`/`output_adapter` locations, PEFT LoRA's wrapped Linears). Within block l:
///
///     x ──ln_1──c_attn──attention──c_proj──drop──► h_attn        mid = x + h_attn   (+ afterAttention)
///     mid ──ln_2──c_fc──gelu──c_proj──drop──► h_mlp              out = mid + h_mlp  (+ afterMLP, parallelMLP)
///
/// - `beside(linear)`: `output += f(input)` where input is the Linear's input and output its output, before
///   GPT-2's residual dropout for the projections (PEFT LoRA: `result += lora_B(lora_A(dropout(x))) * scaling`).
/// - `afterAttention`, `afterMLP`: sequential adapters; they read the sublayer's stream input x and its output
///   h (after the residual dropout) and add into the stream after it (AdapterHub `Adapter`: the stream becomes
///   x + h + f(…)).
/// - `parallelMLP`: a parallel adapter; reads the stream input of the MLP sublayer (mid, before ln_2) and adds
///   into the stream after it (AdapterHub `ParallelAdapter`, He et al. 2022).
public enum HookPoint: Hashable, Sendable {
    case beside(BlockLinear)
    case afterAttention
    case afterMLP
    case parallelMLP

    /// Every point, in the order the forward visits them within a block.
    public static let allCases: [HookPoint] = [
        .beside(.attnQKV), .beside(.attnProj), .afterAttention, .beside(.mlpFC), .beside(.mlpProj), .afterMLP,
        .parallelMLP,
    ]

    /// Dense index of the point (0..<7): the hook table's column and part of the dropout site code.
    var index: Int {
        switch self {
        case let .beside(linear): return linear.rawValue
        case .afterAttention: return 4
        case .afterMLP: return 5
        case .parallelMLP: return 6
        }
    }

    /// A sublayer hook (after or parallel to attention or the MLP) rather than one beside a Linear.
    var isSublayer: Bool {
        if case .beside = self { return false }
        return true
    }
}

/// One hook point in one block.
public struct HookSite: Hashable, Sendable {
    public let layer: Int
    public let point: HookPoint

    public init(layer: Int, point: HookPoint) {
        self.layer = layer
        self.point = point
    }
}

/// Extra kernels a tuning method runs at named hook points of the forward, and their mirrored backward (LoRA,
/// bottleneck adapters): the model code calls `forward` at each site the extension names and `backward` at
/// the same site on the way down, and does not grow a branch per method.
///
/// The extension owns its parameters (outside the base flat buffer, like the prefix encoder's); the model
/// hands it, per call, a workspace of `workspaceCount` floats inside the activation allocation (so concurrent
/// forwards never share state) and, in a training step, the gradient buffer to add into. In a forward that a
/// backward will follow (`HookForward.training`) the extension saves in its workspace whatever its backward
/// reads besides what the model keeps: the model keeps, per layer, the input of a Linear that has a `beside`
/// hook, and the stream inputs x and mid; not a sublayer's output h.
///
/// Conventions as the kernels': backward *adds* into `dinput`, `dbranch` and `gradients` (each nil when not
/// needed: below the lowest trainable layer, or a frozen extension), and never writes `input` or `doutput`.
public protocol ModelExtension: Sendable {
    /// Where it acts; every layer must be inside the model.
    var hookSites: [HookSite] { get }
    /// Floats of trainable parameters (the size of its gradient buffer).
    var parameterCount: Int { get }
    /// Floats of workspace for a forward over `rows` token rows; `training` when a backward follows.
    func workspaceCount(rows: Int, training: Bool) -> Int
    func forward(_ point: HookPoint, _ io: HookForward)
    func backward(_ point: HookPoint, _ io: HookBackward)
}

/// What a forward hook sees (N = `rows`).
public struct HookForward {
    public let layer: Int
    public let rows: Int
    /// `beside`: the Linear's input `[N, inputWidth]`. Sublayer hooks: the stream into the sublayer `[N, C]`.
    public let input: UnsafePointer<Float>
    public let inputWidth: Int
    /// Sublayer hooks: the sublayer's output h `[N, C]` after GPT-2's residual dropout (nil for `beside`).
    public let branch: UnsafePointer<Float>?
    /// Where the extension adds its output: the Linear's output `[N, outputWidth]`, or the stream after the
    /// sublayer. Never the same memory as `input` or `branch`; add only (it may already hold h).
    public let output: UnsafeMutablePointer<Float>
    public let outputWidth: Int
    /// `workspaceCount(rows:training:)` floats, the same memory in the forward and the backward of one step.
    public let workspace: UnsafeMutablePointer<Float>
    /// A backward follows: save what it needs in `workspace`.
    public let training: Bool
    /// This site's dropout key in a training step that gives one (nil otherwise): an extension with dropout
    /// draws `DropoutMask(rate: itsRate, key: dropoutKey)`, and the backward gets the same key, so the mask is
    /// recomputed rather than stored (and a resumed run redraws it).
    public let dropoutKey: UInt64?
}

/// What a backward hook sees: the forward's `input` (kept by the model), ∂L/∂output, and where to add.
public struct HookBackward {
    public let layer: Int
    public let rows: Int
    public let input: UnsafePointer<Float>
    public let inputWidth: Int
    /// ∂L/∂(the forward's `output`).
    public let doutput: UnsafePointer<Float>
    public let outputWidth: Int
    /// Adds ∂L/∂input here; nil when the backward stops above this point.
    public let dinput: UnsafeMutablePointer<Float>?
    /// Sublayer hooks: adds ∂L/∂h here (the sublayer's output); nil for `beside` or when the backward stops here.
    public let dbranch: UnsafeMutablePointer<Float>?
    /// Adds ∂L/∂(its parameters) here (`parameterCount` floats); nil when the extension does not train.
    public let gradients: UnsafeMutablePointer<Float>?
    public let workspace: UnsafeMutablePointer<Float>
    public let dropoutKey: UInt64?
}
