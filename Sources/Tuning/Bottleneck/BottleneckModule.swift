import GPT2
import Kernels

/// Bottleneck adapters at the model's sub-layer hook points (`BottleneckOptions`), run by the model: at each
/// site the stream after the sub-layer gains s·up(f(down(input))) (the `Bottleneck` kernel), `input` being
/// x + h, h or x as the placement says (x the stream into the sub-layer, h its output).
///
/// Tensors, four per site in (block, attention before FFN) order — AdapterHub's module order, named as its
/// keys without the `adapters.NAME.` part (`AdapterHubLayout` adds it):
/// `transformer.h.{l}.{attention_adapters|output_adapters}.adapter_down.0.weight` `[m, C]`, `….bias` `[m]`,
/// `….adapter_up.weight` `[C, m]`, `….bias` `[C]` (torch `nn.Linear`, `[out, in]`).
///
/// Workspace per forward of N rows: in training, per site the adapter's input when the model does not keep
/// it (x + h, or h) `[N, C]` and the kernel's pre-activation and scaled activation `[N, m]` each, plus one
/// `[N, m]` and one `[N, C]` gradient scratch; at inference one site's worth, reused by every site.
public final class BottleneckModule: TrainableExtension, @unchecked Sendable {
    public let config: GPT2Config
    public let options: BottleneckOptions
    public let hookSites: [HookSite]
    public let tensors: [ExtensionTensor]
    public let values: FloatBuffer
    /// Hidden width m.
    public let bottleneck: Int
    /// Site number of (layer, attention 0 / FFN 1), -1 where there is no adapter.
    private let siteIndex: [Int]

    /// Zero-filled adapters for `options` on a model of `config` (to be initialised or read from a file).
    public init(config: GPT2Config, options: BottleneckOptions) {
        self.config = config
        self.options = options
        let (c, m) = (config.nEmbd, options.bottleneckSize(channels: config.nEmbd))
        bottleneck = m
        hookSites = options.sites(layerCount: config.nLayer)
        var shapes: [(name: String, shape: [Int], decays: Bool)] = []
        var index = [Int](repeating: -1, count: config.nLayer * 2)
        for (i, site) in hookSites.enumerated() {
            let module = Self.moduleName(site)
            shapes += [
                (module + ".adapter_down.0.weight", [m, c], true), (module + ".adapter_down.0.bias", [m], false),
                (module + ".adapter_up.weight", [c, m], true), (module + ".adapter_up.bias", [c], false),
            ]
            index[site.layer * 2 + (site.point == .afterAttention ? 0 : 1)] = i
        }
        tensors = Self.layout(shapes)
        values = FloatBuffer(count: tensors.last.map { $0.offset + $0.count } ?? 0)
        siteIndex = index
    }

    /// `transformer.h.{l}.output_adapters` (the FFN site) or `….attention_adapters`.
    static func moduleName(_ site: HookSite) -> String {
        "transformer.h.\(site.layer)." + (site.point == .afterAttention ? "attention_adapters" : "output_adapters")
    }

    /// AdapterHub's `init_weights`, drawn site by site, tensor by tensor, from `random`.
    public func initialize(random: inout TuningRandom) {
        for t in tensors {
            let view = buffer(t)
            let isBias = t.shape.count == 1
            let isDown = t.name.hasSuffix("adapter_down.0.weight")
            for i in view.indices {
                switch options.initialisation {
                case _ where isBias: view[i] = 0
                case .bert: view[i] = 0.02 * random.normal()
                case .mamAdapter: view[i] = isDown ? random.uniform(bound: 1 / Float(config.nEmbd).squareRoot()) : 0
                case .houlsby: view[i] = Self.truncatedNormal(&random)
                }
            }
        }
    }

    /// N(0, 0.01) truncated to [−0.02, 0.02] (torch's `trunc_normal_(std=1e-2, a=-2e-2, b=2e-2)`), by rejection.
    private static func truncatedNormal(_ random: inout TuningRandom) -> Float {
        while true {
            let z = random.normal()
            if abs(z) <= 2 { return 0.01 * z }
        }
    }

    public func copy() -> any TrainableExtension {
        let other = BottleneckModule(config: config, options: options)
        other.values.base.update(from: values.base, count: values.count)
        return other
    }

    /// A non-linear module in the stream: no weight of the base model can absorb it.
    public func merge(into parameters: GPT2Parameters) throws(TuningError) {
        throw .cannotMerge(
            method: "bottleneck adapter",
            reason: "its non-linear bottleneck is not a change of any base weight; use the adapter folder directly"
                + " (--adapter) when evaluating or decoding")
    }

    /// None: `merge(into:)` always refuses.
    public var mergedTensors: [GPT2Tensor] { [] }

    /// The four tensors of site `i`: down weight, down bias, up weight, up bias.
    private func weights(site i: Int) -> (
        UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
        UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>
    ) {
        let t = tensors[(4 * i)..<(4 * i + 4)].map { values.base + $0.offset }
        return (t[0], t[1], t[2], t[3])
    }

    private func site(_ point: HookPoint, layer: Int) -> Int? {
        let column: Int
        switch point {
        case .afterAttention: column = 0
        case .afterMLP, .parallelMLP: column = 1
        case .beside: return nil
        }
        let i = siteIndex[layer * 2 + column]
        return i >= 0 ? i : nil
    }

    // MARK: - Hooks

    /// Whether the adapter's input must be saved: x + h and h are not kept by the model, x is.
    private var savesInput: Bool { options.placement != .parallel }

    private func siteFloats(rows n: Int) -> Int { (savesInput ? n * config.nEmbd : 0) + 2 * n * bottleneck }

    public func workspaceCount(rows n: Int, training: Bool) -> Int {
        guard training else { return siteFloats(rows: n) }
        return hookSites.count * siteFloats(rows: n) + n * bottleneck + n * config.nEmbd
    }

    /// Site `i`'s saved input (when the placement needs one), pre-activation and activation; the scratches.
    private func workspace(_ base: UnsafeMutablePointer<Float>, rows n: Int, site i: Int, training: Bool) -> (
        input: UnsafeMutablePointer<Float>, pre: UnsafeMutablePointer<Float>, act: UnsafeMutablePointer<Float>,
        dpre: UnsafeMutablePointer<Float>, dinput: UnsafeMutablePointer<Float>
    ) {
        let block = base + (training ? i * siteFloats(rows: n) : 0)
        let pre = block + (savesInput ? n * config.nEmbd : 0)
        let scratch = base + hookSites.count * siteFloats(rows: n)
        return (block, pre, pre + n * bottleneck, scratch, scratch + n * bottleneck)
    }

    public func forward(_ point: HookPoint, _ io: HookForward) {
        guard let i = site(point, layer: io.layer) else { return }
        let (n, c) = (io.rows, config.nEmbd)
        let ws = workspace(io.workspace, rows: n, site: i, training: io.training)
        let input: UnsafePointer<Float>
        switch options.placement {
        case .parallel:
            input = io.input
        case .residualStream:
            guard let h = io.branch else { return }
            ws.input.update(from: io.input, count: n * c)
            addInPlace(ws.input, h, n * c)
            input = UnsafePointer(ws.input)
        case .branchOutput:
            guard let h = io.branch else { return }
            ws.input.update(from: h, count: n * c)
            input = UnsafePointer(ws.input)
        }
        let (down, downBias, up, upBias) = weights(site: i)
        Bottleneck.forward(
            out: io.output, pre: ws.pre, act: ws.act, inp: input, downWeight: down, downBias: downBias, upWeight: up,
            upBias: upBias, scaling: Float(options.scaling), nonlinearity: options.nonlinearity, rows: n, channels: c,
            bottleneck: bottleneck)
    }

    public func backward(_ point: HookPoint, _ io: HookBackward) {
        guard let i = site(point, layer: io.layer) else { return }
        let (n, c) = (io.rows, config.nEmbd)
        let ws = workspace(io.workspace, rows: n, site: i, training: true)
        // Where ∂L/∂input goes: x + h feeds both the stream input and the branch, h the branch, x the input.
        let dinput: UnsafeMutablePointer<Float>?
        switch options.placement {
        case .parallel: dinput = io.dinput
        case .branchOutput: dinput = io.dbranch
        case .residualStream:
            dinput = io.dinput == nil && io.dbranch == nil ? nil : ws.dinput
            dinput?.update(repeating: 0, count: n * c)
        }
        guard dinput != nil || io.gradients != nil else { return }
        let input = options.placement == .parallel ? io.input : UnsafePointer(ws.input)
        let (down, _, up, _) = weights(site: i)
        let g = io.gradients.map { base in tensors[(4 * i)..<(4 * i + 4)].map { base + $0.offset } }
        Bottleneck.backward(
            dinp: dinput, ddownWeight: g?[0], ddownBias: g?[1], dupWeight: g?[2], dupBias: g?[3], scratch: ws.dpre,
            dout: io.doutput, inp: input, pre: ws.pre, act: ws.act, downWeight: down, upWeight: up,
            scaling: Float(options.scaling), nonlinearity: options.nonlinearity, rows: n, channels: c,
            bottleneck: bottleneck)
        if options.placement == .residualStream {
            if let target = io.dinput { addInPlace(target, ws.dinput, n * c) }
            if let target = io.dbranch { addInPlace(target, ws.dinput, n * c) }
        }
    }
}
