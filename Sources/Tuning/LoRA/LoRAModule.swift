import GPT2
import Kernels

/// LoRA's trainable matrices beside every targeted block Linear, run by the model at its `beside` hook
/// points: `out += scaling · dropout(x) · Aᵀ · Bᵀ` (see `LoRAOptions`).
///
/// Tensors, one pair per targeted Linear in (block, Linear) order — PEFT's module order:
/// `transformer.h.{l}.{attn.c_attn}.lora_A.weight` `[r, in]` and `….lora_B.weight` `[out, r]`.
///
/// Workspace per forward of N rows: in training, each site's scaled down-projection `[N, r]` (what the backward
/// reads besides the Linear's input, which the model keeps), a `[N, r]` gradient scratch and, with dropout,
/// the dropped input and its gradient `[N, in]`; at inference one `[N, r]` scratch.
public final class LoRAModule: TrainableExtension, @unchecked Sendable {
    public let config: GPT2Config
    public let options: LoRAOptions
    public let hookSites: [HookSite]
    public let tensors: [ExtensionTensor]
    public let values: FloatBuffer
    /// Site number of (layer, Linear), -1 where there is no LoRA.
    private let siteIndex: [Int]
    /// The widest input of a targeted Linear (the dropout scratch's width).
    private let widestInput: Int

    /// Zero-filled matrices for `options` on a model of `config` (to be initialised or read from a file).
    init(config: GPT2Config, options: LoRAOptions, sites: [HookSite]) {
        self.config = config
        self.options = options
        hookSites = sites
        var shapes: [(name: String, shape: [Int], decays: Bool)] = []
        var index = [Int](repeating: -1, count: config.nLayer * BlockLinear.allCases.count)
        var widest = 0
        for (i, site) in sites.enumerated() {
            guard case let .beside(linear) = site.point else { continue }
            let (inW, outW) = linear.shape(config)
            let module = LoRAOptions.moduleName(layer: site.layer, linear)
            shapes.append((module + ".lora_A.weight", [options.rank, inW], true))
            shapes.append((module + ".lora_B.weight", [outW, options.rank], true))
            index[site.layer * BlockLinear.allCases.count + linear.rawValue] = i
            widest = max(widest, inW)
        }
        tensors = Self.layout(shapes)
        values = FloatBuffer(count: tensors.last.map { $0.offset + $0.count } ?? 0)
        siteIndex = index
        widestInput = widest
    }

    /// The module for `options` on `config`, or the options' error (targets naming no Linear).
    convenience init(config: GPT2Config, options: LoRAOptions) throws(TuningError) {
        self.init(config: config, options: options, sites: try options.sites(layerCount: config.nLayer))
    }

    /// PEFT's `reset_lora_parameters`: A from `kaiming_uniform_(a=√5)`, i.e. U(−1/√in, 1/√in), B zero — the
    /// module starts as the identity — drawn site by site from `random`.
    public func initialize(random: inout TuningRandom) {
        for (a, b) in pairs {
            let bound = 1 / Float(a.shape[1]).squareRoot()
            let view = buffer(a)
            for i in view.indices { view[i] = random.uniform(bound: bound) }
            buffer(b).update(repeating: 0)
        }
    }

    public func copy() -> any TrainableExtension {
        let other = LoRAModule(config: config, options: options, sites: hookSites)
        other.values.base.update(from: values.base, count: values.count)
        return other
    }

    /// PEFT's merge for `fan_in_fan_out=True`: W `[in, out]` += scaling · (B·A)ᵀ.
    public func merge(into parameters: GPT2Parameters) throws(TuningError) {
        let s = options.scaling
        for (site, (a, b)) in zip(hookSites, pairs) {
            guard case let .beside(linear) = site.point else { continue }
            let w = parameters[.block(site.layer, Self.weight(linear))]
            let (r, inW, outW) = (options.rank, a.shape[1], b.shape[0])
            let (pa, pb) = (buffer(a), buffer(b))
            for i in 0..<inW {
                for o in 0..<outW {
                    var sum: Float = 0
                    for k in 0..<r { sum += pb[o * r + k] * pa[k * inW + i] }
                    w[i * outW + o] += sum * s
                }
            }
        }
    }

    public var mergedTensors: [GPT2Tensor] {
        hookSites.compactMap { site in
            guard case let .beside(linear) = site.point else { return nil }
            return .block(site.layer, Self.weight(linear))
        }
    }

    /// The (A, B) tensor pair of each site, in site order.
    var pairs: [(ExtensionTensor, ExtensionTensor)] {
        stride(from: 0, to: tensors.count, by: 2).map { (tensors[$0], tensors[$0 + 1]) }
    }

    static func weight(_ linear: BlockLinear) -> BlockTensor {
        switch linear {
        case .attnQKV: return .attnQKVWeight
        case .attnProj: return .attnProjWeight
        case .mlpFC: return .mlpFCWeight
        case .mlpProj: return .mlpProjWeight
        }
    }

    // MARK: - Hooks

    public func workspaceCount(rows n: Int, training: Bool) -> Int {
        let r = options.rank
        guard training else { return n * r }
        return (hookSites.count + 1) * n * r + (options.dropout > 0 ? 2 * n * widestInput : 0)
    }

    /// Where site `i`'s scaled down-projection lives, the gradient scratch, and the dropout scratches.
    private func workspace(_ base: UnsafeMutablePointer<Float>, rows n: Int, site i: Int, training: Bool) -> (
        down: UnsafeMutablePointer<Float>, ddown: UnsafeMutablePointer<Float>, dropped: UnsafeMutablePointer<Float>,
        ddropped: UnsafeMutablePointer<Float>
    ) {
        let r = options.rank
        let scratch = base + hookSites.count * n * r
        let dropped = scratch + n * r
        return (training ? base + i * n * r : base, scratch, dropped, dropped + n * widestInput)
    }

    private func site(_ point: HookPoint, layer: Int) -> Int? {
        guard case let .beside(linear) = point else { return nil }
        let i = siteIndex[layer * BlockLinear.allCases.count + linear.rawValue]
        return i >= 0 ? i : nil
    }

    /// The input with LoRA's dropout applied (into `scratch`), or the input itself without dropout.
    private func dropped(
        _ x: UnsafePointer<Float>, count: Int, key: UInt64?, scratch: UnsafeMutablePointer<Float>
    ) -> (UnsafePointer<Float>, DropoutMask?) {
        guard let key, let mask = DropoutMask(rate: options.dropout, key: key) else { return (x, nil) }
        scratch.update(from: x, count: count)
        mask.apply(scratch, count: count)
        return (UnsafePointer(scratch), mask)
    }

    public func forward(_ point: HookPoint, _ io: HookForward) {
        guard let i = site(point, layer: io.layer) else { return }
        let (a, b) = pairs[i]
        let ws = workspace(io.workspace, rows: io.rows, site: i, training: io.training)
        let (x, _) = dropped(
            io.input, count: io.rows * io.inputWidth, key: io.training ? io.dropoutKey : nil, scratch: ws.dropped)
        LoRALinear.forward(
            out: io.output, down: ws.down, inp: x, a: values.base + a.offset, b: values.base + b.offset,
            scaling: options.scaling, rows: io.rows, inFeatures: io.inputWidth, rank: options.rank,
            outFeatures: io.outputWidth)
    }

    public func backward(_ point: HookPoint, _ io: HookBackward) {
        guard let i = site(point, layer: io.layer), io.dinput != nil || io.gradients != nil else { return }
        let (a, b) = pairs[i]
        let ws = workspace(io.workspace, rows: io.rows, site: i, training: true)
        let count = io.rows * io.inputWidth
        // The forward's mask, redrawn from its key; the input gradient goes through it too.
        let (x, mask) = dropped(io.input, count: count, key: io.dropoutKey, scratch: ws.dropped)
        var dx = io.dinput
        if mask != nil, io.dinput != nil {
            ws.ddropped.update(repeating: 0, count: count)
            dx = ws.ddropped
        }
        LoRALinear.backward(
            dinp: dx, da: io.gradients.map { $0 + a.offset }, db: io.gradients.map { $0 + b.offset }, ddown: ws.ddown,
            dout: io.doutput, inp: x, down: ws.down, a: values.base + a.offset, b: values.base + b.offset,
            scaling: options.scaling, rows: io.rows, inFeatures: io.inputWidth, rank: options.rank,
            outFeatures: io.outputWidth)
        if let mask, let dinput = io.dinput {
            mask.apply(ws.ddropped, count: count)
            addInPlace(dinput, ws.ddropped, count)
        }
    }
}
