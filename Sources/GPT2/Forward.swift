import Kernels

extension GPT2Model {
    /// The forward pass of `batch` appended to `cache`, as the block diagram reads:
    ///
    ///     x = wte[tokens] + wpe[positions]
    ///     for each block:  x = x + attn_proj(attention(qkv(ln_1(x)), cache))
    ///                      x = x + mlp_proj(gelu(fc(ln_2(x))))
    ///     lnf = ln_f(x)
    ///
    /// New keys/values are written into the cache at slots `length ..< length+T`; the cache's length and
    /// next positions advance. The LM head is not applied here (see `headLogits`/`headLoss`). Returns the
    /// position ids used.
    ///
    /// `dropout` (training only) is GPT-2's: on the embeddings, the attention probabilities, and each
    /// residual branch's output before it is added (`DropoutMask.site` numbers the places).
    ///
    /// The model's `ModelExtension`, if any, adds its kernels at its hook points (`HookPoint`).
    @discardableResult
    func forward(
        _ batch: TokenBatch, cache: KVCache, acts: Activations, dropout: DropoutMask? = nil
    ) throws(GPT2Error) -> [Int32] {
        let (nb, nt) = (batch.batchSize, batch.length)
        guard nb == cache.batchSize else {
            throw .invalidInput(argument: "batch", reason: "\(nb) rows for a cache of \(cache.batchSize) rows")
        }
        guard nt <= cache.remaining else {
            throw .invalidInput(
                argument: "cache",
                reason: "\(nt) new tokens but only \(cache.remaining) of \(cache.slotCapacity) slots free")
        }
        // The dropped branches go through `acts.dln`, which only a training layout allocates.
        precondition(dropout == nil || acts.needs != nil, "dropout needs a training activation layout")
        let positions = batch.resolvedPositions(offsets: cache.nextPosition)
        try batch.validate(positions: positions, config: config)
        let offset = cache.length
        for b in 0..<nb {
            for t in 0..<nt where batch.mask[b * nt + t] != 0 {
                cache.nextPosition[b] = positions[b * nt + t] + 1
            }
            for t in 0..<nt { cache.mask[b * cache.slotCapacity + offset + t] = batch.mask[b * nt + t] }
        }

        let (c, h, n) = (config.nEmbd, config.innerSize, nb * nt)
        let eps = config.layerNormEpsilon
        let p = parameters
        batch.tokens.withUnsafeBufferPointer { tokens in
            positions.withUnsafeBufferPointer { pos in
                Embedding.forward(
                    out: acts.residual.at(0), tokens: tokens.baseAddress.unsafelyUnwrapped,
                    positions: pos.baseAddress.unsafelyUnwrapped, wte: p[.tokenEmbedding].baseAddress.unsafelyUnwrapped,
                    wpe: p[.positionEmbedding].baseAddress.unsafelyUnwrapped, rows: n, channels: c)
            }
        }
        dropout?.site(0).apply(acts.residual.at(0), count: n * c)
        let shape = Attention.Shape(
            batch: nb, queries: nt, heads: config.nHead, headDim: config.headDim, queryOffset: offset,
            slotStride: cache.slotCapacity, queryStride: 3 * c, outStride: c)
        for l in 0..<config.nLayer {
            let w = BlockWeights(p, layer: l)
            let x = acts.residual.at(l)
            LayerNorm.forward(
                out: acts.ln1Out.at(l), mean: acts.ln1Mean.at(l), rstd: acts.ln1Rstd.at(l), inp: x, weight: w.ln1Weight,
                bias: w.ln1Bias, rows: n, channels: c, epsilon: eps)
            projection(
                out: acts.qkv.at(l), inp: acts.ln1Out.at(l), weight: w.qkvWeight, bias: w.qkvBias, rows: n,
                inFeatures: c,
                outFeatures: 3 * c)
            hookForward(
                .beside(.attnQKV), layer: l, rows: n, input: acts.ln1Out.at(l), inputWidth: c, output: acts.qkv.at(l),
                outputWidth: 3 * c,
                acts: acts)
            roundForProducts(acts.qkv.at(l), count: n * 3 * c)
            cache.store(layer: l, qkv: acts.qkv.at(l), batch: nb, length: nt, at: offset)
            Attention.forward(
                out: acts.atty.at(l), probs: acts.probs?.at(l), q: acts.qkv.at(l), keys: cache.keys(layer: l),
                values: cache.values(layer: l), keyMask: cache.mask, shape: shape, dropout: dropout?.site(1 + 3 * l),
                bf16Inputs: precision == .bf16)
            let mid = acts.mid.at(l)
            if mid != x { mid.update(from: x, count: n * c) }
            residualBranch(
                into: mid, from: x, attention: true, layer: l, dropout: dropout, acts: acts, inp: acts.atty.at(l),
                weight: w.attnProjWeight, bias: w.attnProjBias, rows: n, inFeatures: c)
            LayerNorm.forward(
                out: acts.ln2Out.at(l), mean: acts.ln2Mean.at(l), rstd: acts.ln2Rstd.at(l), inp: mid,
                weight: w.ln2Weight,
                bias: w.ln2Bias, rows: n, channels: c, epsilon: eps)
            projection(
                out: acts.fch.at(l), inp: acts.ln2Out.at(l), weight: w.fcWeight, bias: w.fcBias, rows: n, inFeatures: c,
                outFeatures: h)
            hookForward(
                .beside(.mlpFC), layer: l, rows: n, input: acts.ln2Out.at(l), inputWidth: c, output: acts.fch.at(l),
                outputWidth: h,
                acts: acts)
            GELU.forward(out: acts.geluOut.at(l), inp: acts.fch.at(l), count: n * h)
            let next = acts.residual.at(l + 1)
            if next != mid { next.update(from: mid, count: n * c) }
            residualBranch(
                into: next, from: mid, attention: false, layer: l, dropout: dropout, acts: acts,
                inp: acts.geluOut.at(l),
                weight: w.mlpProjWeight, bias: w.mlpProjBias, rows: n, inFeatures: h)
        }
        LayerNorm.forward(
            out: acts.lnf, mean: acts.lnfMean, rstd: acts.lnfRstd, inp: acts.residual.at(config.nLayer),
            weight: p[.finalNormWeight].baseAddress.unsafelyUnwrapped,
            bias: p[.finalNormBias].baseAddress.unsafelyUnwrapped,
            rows: n, channels: c, epsilon: eps)
        cache.length += nt
        return positions
    }
}

extension GPT2Model {
    /// residual += drop(proj(inp)) for the attention or MLP sublayer of block `layer`, `input` being the stream
    /// before it. Without dropout or sublayer hooks the projection is written straight into the residual
    /// stream; otherwise it goes through a scratch buffer (`acts.dln`, free during the forward, or the
    /// sublayer hooks' `acts.branch`) to be dropped and shown to the hooks before it is added.
    fileprivate func residualBranch(
        into residual: UnsafeMutablePointer<Float>, from input: UnsafePointer<Float>, attention: Bool, layer l: Int,
        dropout: DropoutMask?, acts: Activations, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, rows n: Int, inFeatures: Int
    ) {
        let c = config.nEmbd
        let site = dropout?.site(attention ? 2 + 3 * l : 3 + 3 * l)
        let linear: HookPoint = .beside(attention ? .attnProj : .mlpProj)
        let sublayerHooks = hooks?.hasSublayerHook(attention: attention, layer: l) == true
        guard site != nil || sublayerHooks else {
            projection(
                out: residual, inp: inp, weight: weight, bias: bias, rows: n, inFeatures: inFeatures, outFeatures: c,
                accumulate: true)
            hookForward(
                linear, layer: l, rows: n, input: inp, inputWidth: inFeatures, output: residual, outputWidth: c,
                acts: acts)
            return
        }
        let branch = sublayerHooks ? acts.branch : acts.dln
        projection(
            out: branch, inp: inp, weight: weight, bias: bias, rows: n, inFeatures: inFeatures, outFeatures: c)
        hookForward(
            linear, layer: l, rows: n, input: inp, inputWidth: inFeatures, output: branch, outputWidth: c, acts: acts)
        site?.apply(branch, count: n * c)
        for point in HookTable.sublayerPoints(attention: attention) {
            hookForward(
                point, layer: l, rows: n, input: input, inputWidth: c, branch: branch, output: residual, outputWidth: c,
                acts: acts)
        }
        addInPlace(residual, branch, n * c)
    }
}

/// Pointers to one block's parameters (or gradients: the same layout serves both).
struct BlockWeights {
    let ln1Weight, ln1Bias, qkvWeight, qkvBias, attnProjWeight, attnProjBias: UnsafeMutablePointer<Float>
    let ln2Weight, ln2Bias, fcWeight, fcBias, mlpProjWeight, mlpProjBias: UnsafeMutablePointer<Float>

    init(_ p: GPT2Parameters, layer l: Int) {
        func at(_ t: BlockTensor) -> UnsafeMutablePointer<Float> { p[.block(l, t)].baseAddress.unsafelyUnwrapped }
        (ln1Weight, ln1Bias, qkvWeight, qkvBias) = (at(.ln1Weight), at(.ln1Bias), at(.attnQKVWeight), at(.attnQKVBias))
        (attnProjWeight, attnProjBias, ln2Weight, ln2Bias) = (
            at(.attnProjWeight), at(.attnProjBias), at(.ln2Weight), at(.ln2Bias)
        )
        (fcWeight, fcBias, mlpProjWeight, mlpProjBias) = (
            at(.mlpFCWeight), at(.mlpFCBias), at(.mlpProjWeight), at(.mlpProjBias)
        )
    }
}

extension KVCache {
    /// Copies the k and v parts of `qkv` `[B, T, 3C]` into slots `at ..< at+T` of `layer`.
    func store(layer: Int, qkv: UnsafePointer<Float>, batch nb: Int, length nt: Int, at offset: Int) {
        let (c, nh, hd) = (config.nEmbd, config.nHead, config.headDim)
        let k = keys(layer: layer), v = values(layer: layer)
        for b in 0..<nb {
            for t in 0..<nt {
                let row = qkv + (b * nt + t) * 3 * c
                for h in 0..<nh {
                    let slot = ((b * nh + h) * slotCapacity + offset + t) * hd
                    (k + slot).update(from: row + c + h * hd, count: hd)
                    (v + slot).update(from: row + 2 * c + h * hd, count: hd)
                }
            }
        }
    }
}
