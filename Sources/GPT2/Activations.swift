/// One tensor per layer inside the activation allocation: `at(l)` is layer l's `[count]` floats. A stride
/// of 0 makes every layer share one buffer (inference, or an input only a weight gradient would read).
struct Slab {
    var base: UnsafeMutablePointer<Float>
    var stride: Int
    func at(_ layer: Int) -> UnsafeMutablePointer<Float> { base + layer * stride }
}

/// What a forward must keep for the backward; nil for inference.
struct TrainingNeeds: Equatable {
    /// Keep each layer's input to the Linear whose weight gradient is requested: qkv (ln_1 output),
    /// attention projection (attention output), fc (ln_2 output), MLP projection (GELU output).
    var ln1Out = false, atty = false, ln2Out = false, geluOut = false
}

/// Every activation of one forward (and the backward's scratch), in one allocation with named views —
/// llm.c's `ActivationTensors`. Shapes, with N = B·T rows:
///
///     residual  [L+1][N, C]   input of block l (residual[L] feeds ln_f)
///     mid       [L][N, C]     residual after attention
///     ln1Out, ln2Out [L][N, C], ln1Mean/ln1Rstd/ln2Mean/ln2Rstd [L][N]
///     qkv       [L][N, 3C]    q | k | v, heads contiguous within each
///     atty      [L][N, C]     attention output before its projection
///     probs     [L][B, NH, T, S]   softmax, saved for the backward (S = keys seen by the last query)
///     fch       [L][N, 4C]    MLP pre-activation; geluOut [L][N, 4C]
///     lnf [N, C], lnfMean/lnfRstd [N]
///     hookWorkspace [W]      a `ModelExtension`'s own floats (W from the extension)
///     branch, dhook [N, C]   with sublayer hooks: a sublayer's output h, and its hooks' stream-input gradient
///
/// At inference every per-layer view has stride 0 (one buffer reused by all layers; residual and mid
/// alias, updated in place) and no probabilities are kept. In training the Linear inputs are kept per
/// layer only when that Linear's weight gradient is requested. Sublayer hooks read the stream into a
/// sublayer while adding into the stream after it, so with them `mid` is a buffer of its own at inference too.
final class Activations {
    let batch: Int, length: Int, keys: Int
    let needs: TrainingNeeds?
    let extensionLayout: ExtensionLayout?
    let capacity: Int
    private var base: UnsafeMutablePointer<Float>?

    let residual: Slab, mid: Slab, ln1Out: Slab, ln1Mean: Slab, ln1Rstd: Slab, qkv: Slab, atty: Slab
    let probs: Slab?
    let ln2Out: Slab, ln2Mean: Slab, ln2Rstd: Slab, fch: Slab, geluOut: Slab
    let lnf: UnsafeMutablePointer<Float>, lnfMean: UnsafeMutablePointer<Float>, lnfRstd: UnsafeMutablePointer<Float>
    /// Backward scratch, reused by every layer (zero-sized at inference).
    let dresidual: UnsafeMutablePointer<Float>, dln: UnsafeMutablePointer<Float>, dqkv: UnsafeMutablePointer<Float>
    let datty: UnsafeMutablePointer<Float>, dfch: UnsafeMutablePointer<Float>, dgelu: UnsafeMutablePointer<Float>
    let dkeys: UnsafeMutablePointer<Float>, dvalues: UnsafeMutablePointer<Float>
    /// LM-head chunk scratch for the loss: inputs `[chunk, C]`, logits `[chunk, V]`, input gradients
    /// `[chunk, C]` (kept here so a step does not fault in 25 MB of fresh pages).
    let headInput: UnsafeMutablePointer<Float>, headLogits: UnsafeMutablePointer<Float>
    let headInputGradient: UnsafeMutablePointer<Float>
    /// The extension's workspace and sublayer buffers (zero-sized without them).
    let hookWorkspace: UnsafeMutablePointer<Float>, branch: UnsafeMutablePointer<Float>
    let dhook: UnsafeMutablePointer<Float>
    /// The dropout key of the extension's hooks for the current call (a training step's), nil otherwise.
    var hookDropoutKey: UInt64?

    /// Lays out the views for a `[batch, length]` forward whose last query sees `keys` slots, reusing
    /// `old`'s allocation when it is large enough (touching fresh pages every step would cost more than
    /// the small kernels).
    init(
        config: GPT2Config, batch: Int, length: Int, keys: Int, needs: TrainingNeeds?,
        extension hooks: ExtensionLayout? = nil, reusing old: Activations?
    ) {
        self.batch = batch
        self.length = length
        self.keys = keys
        self.needs = needs
        extensionLayout = hooks
        let (nl, c, h, nh) = (config.nLayer, config.nEmbd, config.innerSize, config.nHead)
        let n = batch * length
        let training = needs != nil
        let t = training ? 1 : 0  // sizes of training-only views are multiplied by this
        var offset = 0
        // Each view is rounded up to 16 floats so every view starts 64-byte aligned.
        func reserve(_ count: Int, layers: Int = 1, perLayer: Bool = false) -> (at: Int, stride: Int) {
            let stride = (count + 15) / 16 * 16
            defer { offset += perLayer ? stride * layers : stride }
            return (offset, perLayer ? stride : 0)
        }
        let rResidual = reserve(n * c, layers: nl + 1, perLayer: training)
        let ownMid = training || hooks?.sublayerBuffers == true
        let rMid = reserve(ownMid ? n * c : 0, layers: nl, perLayer: training)
        let rLn1Out = reserve(n * c, layers: nl, perLayer: needs?.ln1Out ?? false)
        let rLn1Mean = reserve(n, layers: nl, perLayer: training)
        let rLn1Rstd = reserve(n, layers: nl, perLayer: training)
        let rQkv = reserve(n * 3 * c, layers: nl, perLayer: training)
        let rAtty = reserve(n * c, layers: nl, perLayer: needs?.atty ?? false)
        let rProbs = reserve(batch * nh * length * keys * t, layers: nl, perLayer: training)
        let rLn2Out = reserve(n * c, layers: nl, perLayer: needs?.ln2Out ?? false)
        let rLn2Mean = reserve(n, layers: nl, perLayer: training)
        let rLn2Rstd = reserve(n, layers: nl, perLayer: training)
        let rFch = reserve(n * h, layers: nl, perLayer: training)
        let rGelu = reserve(n * h * t, layers: nl, perLayer: needs?.geluOut ?? false)
        let rLnf = reserve(n * c), rLnfMean = reserve(n), rLnfRstd = reserve(n)
        let rDres = reserve(n * c * t), rDln = reserve(n * c * t), rDqkv = reserve(n * 3 * c * t)
        let rDatty = reserve(n * c * t), rDfch = reserve(n * h * t), rDgelu = reserve(n * h * t)
        let rDk = reserve(batch * nh * keys * config.headDim * t), rDv = reserve(batch * nh * keys * config.headDim * t)
        let chunk = GPT2Model.headChunk
        let rHeadIn = reserve(chunk * c), rHeadLogits = reserve(chunk * config.vocabSize), rHeadDx = reserve(chunk * c)
        let sublayer = hooks?.sublayerBuffers == true ? 1 : 0
        let rHookWorkspace = reserve(hooks?.workspace ?? 0)
        let rBranch = reserve(n * c * sublayer), rDhook = reserve(n * c * sublayer * t)
        let total = max(offset, 16)

        let p: UnsafeMutablePointer<Float>
        if let old, let oldBase = old.base, old.capacity >= total {
            p = oldBase
            capacity = old.capacity
            old.base = nil
        } else {
            p = UnsafeMutableRawPointer.allocate(byteCount: total * 4, alignment: 64).bindMemory(
                to: Float.self, capacity: total)
            capacity = total
        }
        base = p
        func slab(_ r: (at: Int, stride: Int)) -> Slab { Slab(base: p + r.at, stride: r.stride) }
        residual = slab(rResidual)
        // At inference the residual stream is updated in place (mid aliases residual) and GELU runs in
        // place (geluOut aliases fch).
        mid = ownMid ? slab(rMid) : residual
        ln1Out = slab(rLn1Out)
        ln1Mean = slab(rLn1Mean)
        ln1Rstd = slab(rLn1Rstd)
        qkv = slab(rQkv)
        atty = slab(rAtty)
        probs = training ? slab(rProbs) : nil
        ln2Out = slab(rLn2Out)
        ln2Mean = slab(rLn2Mean)
        ln2Rstd = slab(rLn2Rstd)
        fch = slab(rFch)
        geluOut = training ? slab(rGelu) : fch
        (lnf, lnfMean, lnfRstd) = (p + rLnf.at, p + rLnfMean.at, p + rLnfRstd.at)
        (dresidual, dln, dqkv, datty) = (p + rDres.at, p + rDln.at, p + rDqkv.at, p + rDatty.at)
        (dfch, dgelu, dkeys, dvalues) = (p + rDfch.at, p + rDgelu.at, p + rDk.at, p + rDv.at)
        (headInput, headLogits, headInputGradient) = (p + rHeadIn.at, p + rHeadLogits.at, p + rHeadDx.at)
        (hookWorkspace, branch, dhook) = (p + rHookWorkspace.at, p + rBranch.at, p + rDhook.at)
    }

    deinit { base?.deallocate() }

    /// Whether this layout serves a forward of the given kind as is.
    func matches(batch: Int, length: Int, keys: Int, needs: TrainingNeeds?, extension hooks: ExtensionLayout?) -> Bool {
        self.batch == batch && self.length == length && self.keys == keys && self.needs == needs
            && extensionLayout == hooks
    }
}
