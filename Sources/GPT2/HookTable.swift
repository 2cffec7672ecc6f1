import Kernels
import Randomness

/// The model's view of its `ModelExtension`: which hook points are active in which block (a dense
/// `[layer][point]` table, looked up at each point of the forward and backward), what the activation layout
/// must add for it, and the lowest backward stage its parameters need.
struct HookTable: Sendable {
    let modelExtension: any ModelExtension
    private let active: [Bool]
    /// Some block has an `afterAttention`/`afterMLP`/`parallelMLP` hook: the stream needs a separate `mid`
    /// buffer at inference and the sublayer output a buffer of its own.
    let hasSublayerHooks: Bool
    /// Linears with a `beside` hook in some block: their inputs are kept per layer for the backward.
    let besideLinears: Set<BlockLinear>
    /// The lowest stage holding a hook (where the extension's parameter gradients need the backward to reach).
    let lowestStage: BackwardStage?
    private let layerCount: Int

    init(_ modelExtension: any ModelExtension, config: GPT2Config) throws(GPT2Error) {
        let sites = modelExtension.hookSites
        var active = [Bool](repeating: false, count: config.nLayer * HookPoint.allCases.count)
        for site in sites {
            guard (0..<config.nLayer).contains(site.layer) else {
                throw .invalidInput(
                    argument: "model extension",
                    reason: "a hook in block \(site.layer), but the model has blocks 0..<\(config.nLayer)")
            }
            active[site.layer * HookPoint.allCases.count + site.point.index] = true
        }
        guard modelExtension.parameterCount >= 0 else {
            throw .invalidInput(argument: "model extension", reason: "a negative parameter count")
        }
        self.modelExtension = modelExtension
        self.active = active
        layerCount = config.nLayer
        hasSublayerHooks = sites.contains { $0.point.isSublayer }
        besideLinears = Set(
            sites.compactMap { if case let .beside(linear) = $0.point { return linear } else { return nil } })
        lowestStage = sites.map(BackwardStage.init).min()
    }

    func has(_ point: HookPoint, layer: Int) -> Bool { active[layer * HookPoint.allCases.count + point.index] }

    /// Whether block `layer` has a hook on its attention (`afterAttention`) or MLP (`afterMLP`, `parallelMLP`)
    /// sublayer.
    func hasSublayerHook(attention: Bool, layer: Int) -> Bool {
        attention ? has(.afterAttention, layer: layer) : has(.afterMLP, layer: layer) || has(.parallelMLP, layer: layer)
    }

    /// The sublayer points of the attention or MLP sublayer, in call order.
    static func sublayerPoints(attention: Bool) -> [HookPoint] {
        attention ? [.afterAttention] : [.afterMLP, .parallelMLP]
    }

    /// The activation floats this extension adds for a `[rows]` forward.
    func layout(rows: Int, training: Bool) -> ExtensionLayout {
        ExtensionLayout(
            workspace: modelExtension.workspaceCount(rows: rows, training: training),
            sublayerBuffers: hasSublayerHooks)
    }

    /// The dropout key of `point` in block `layer`, derived from a step's key as `DropoutMask.site` derives
    /// GPT-2's sites, with codes after GPT-2's own (0 … 3L), one per (layer, point).
    func dropoutKey(_ key: UInt64?, _ point: HookPoint, layer: Int) -> UInt64? {
        let code = UInt64(3 * layerCount + 1 + layer * HookPoint.allCases.count + point.index)
        return key.map { SplitMix64.mix($0 &+ code &* SplitMix64.increment) }
    }
}

/// What an extension adds to an activation layout: its workspace, and for sublayer hooks a separate stream
/// buffer at inference plus `[N, C]` buffers for a sublayer's output and for the input gradient of its hooks.
struct ExtensionLayout: Equatable {
    var workspace: Int
    var sublayerBuffers: Bool
}

extension BackwardStage {
    /// The stage a hook's parameter gradients need the backward to reach: the Linear's step for `beside`, the
    /// sublayer's output step otherwise.
    init(_ site: HookSite) {
        switch site.point {
        case .beside(.attnQKV): self = .block(site.layer, .qkv)
        case .beside(.attnProj): self = .block(site.layer, .attnProj)
        case .beside(.mlpFC): self = .block(site.layer, .fc)
        case .beside(.mlpProj): self = .block(site.layer, .mlpProj)
        case .afterAttention: self = .block(site.layer, .attnOutput)
        case .afterMLP, .parallelMLP: self = .block(site.layer, .mlpOutput)
        }
    }
}

extension GPT2Model {
    /// Runs the extension's forward at `point` of block `layer` when it has a hook there (nothing otherwise).
    func hookForward(
        _ point: HookPoint, layer: Int, rows: Int, input: UnsafePointer<Float>, inputWidth: Int,
        branch: UnsafePointer<Float>? = nil, output: UnsafeMutablePointer<Float>, outputWidth: Int, acts: Activations
    ) {
        guard let hooks, hooks.has(point, layer: layer) else { return }
        hooks.modelExtension.forward(
            point,
            HookForward(
                layer: layer, rows: rows, input: input, inputWidth: inputWidth, branch: branch, output: output,
                outputWidth: outputWidth, workspace: acts.hookWorkspace, training: acts.needs != nil,
                dropoutKey: hooks.dropoutKey(acts.hookDropoutKey, point, layer: layer)))
    }

    /// Runs the extension's backward at `point` of block `layer` when it has a hook there.
    func hookBackward(
        _ point: HookPoint, layer: Int, rows: Int, input: UnsafePointer<Float>, inputWidth: Int,
        doutput: UnsafePointer<Float>, outputWidth: Int, dinput: UnsafeMutablePointer<Float>?,
        dbranch: UnsafeMutablePointer<Float>? = nil, gradients: UnsafeMutablePointer<Float>?, acts: Activations
    ) {
        guard let hooks, hooks.has(point, layer: layer) else { return }
        hooks.modelExtension.backward(
            point,
            HookBackward(
                layer: layer, rows: rows, input: input, inputWidth: inputWidth, doutput: doutput,
                outputWidth: outputWidth, dinput: dinput, dbranch: dbranch, gradients: gradients,
                workspace: acts.hookWorkspace, dropoutKey: hooks.dropoutKey(acts.hookDropoutKey, point, layer: layer)))
    }
}
