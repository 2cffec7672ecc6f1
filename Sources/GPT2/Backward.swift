import Kernels

extension GPT2Model {
    /// The training step's math: the loss of `batch` against `labels` (see `loss`) and its gradient with
    /// respect to what `request` names, ADDED into `gradients` (same layout as the parameters; zero the
    /// requested ranges once per step, e.g. `request.zero(gradients)`) and, for the prefix, into
    /// `prefixGradients`, for the model's extension into `extensionGradients` (`parameterCount` floats).
    /// Nothing outside the request is written. `dropout` is GPT-2's; `hookDropoutKey` keys the extension's own
    /// dropout (each hook site derives its key from it).
    public func lossAndGradients(
        _ batch: TokenBatch, labels: [Int32], options: LossOptions = LossOptions(), prefix: PrefixSlots? = nil,
        request: GradientRequest, gradients: GPT2Parameters, prefixGradients: PrefixSlots? = nil,
        extensionGradients: UnsafeMutableBufferPointer<Float>? = nil, dropout: DropoutMask? = nil,
        hookDropoutKey: UInt64? = nil
    ) throws(GPT2Error) -> LossResult {
        try checkPrefix(prefix)
        guard gradients.config == config else {
            throw .invalidInput(argument: "gradients", reason: "laid out for a different config than the model's")
        }
        if request.prefix {
            guard let prefix, let prefixGradients, prefixGradients.length == prefix.length,
                prefixGradients.config == config
            else {
                throw .invalidInput(
                    argument: "prefix gradients",
                    reason: "the request trains the prefix: pass the prefix and a buffer of its shape")
            }
        }
        if request.extensionParameters {
            guard let hooks, let extensionGradients, extensionGradients.count == hooks.modelExtension.parameterCount
            else {
                throw .invalidInput(
                    argument: "extension gradients",
                    reason: "the request trains the model's extension: the model needs one, and a buffer of its size")
            }
        }
        let hookStage = request.extensionParameters ? hooks?.lowestStage : nil
        guard let lowest = [request.lowestStage, hookStage].compactMap({ $0 }).min() else {
            return try loss(batch, labels: labels, options: options, prefix: prefix)
        }
        var needs = request.trainingNeeds
        if let hooks { needs.keepInputs(of: hooks.besideLinears) }
        let targets = try LossTargets(batch: batch, labels: labels, options: options, vocabSize: config.vocabSize)
        let p = prefix?.length ?? 0
        let keys = p + batch.length
        let cache = try KVCache(config: config, batchSize: batch.batchSize, slotCapacity: keys, prefix: prefix)
        return try withActivations(batch: batch, keys: keys, needs: needs) { acts throws(GPT2Error) in
            acts.hookDropoutKey = hookDropoutKey
            let positions = try forward(batch, cache: cache, acts: acts, dropout: dropout)
            let n = batch.batchSize * batch.length
            acts.dln.update(repeating: 0, count: n * config.nEmbd)
            let wantsWte = request.contains(.tokenEmbedding)
            let result = headLoss(
                targets, acts: acts,
                gradients: (acts.dln, wantsWte ? gradients[.tokenEmbedding].baseAddress.unsafelyUnwrapped : nil))
            backward(
                batch, positions: positions, cache: cache, acts: acts, request: request, lowest: lowest,
                gradients: gradients, prefixGradients: request.prefix ? prefixGradients : nil,
                extensionGradients: request.extensionParameters ? extensionGradients?.baseAddress : nil,
                dropout: dropout)
            return result
        }
    }

    /// The mirror of `forward`, from ∂loss/∂(ln_f output) in `acts.dln` down to the lowest trainable stage.
    private func backward(
        _ batch: TokenBatch, positions: [Int32], cache: KVCache, acts: Activations, request: GradientRequest,
        lowest: BackwardStage, gradients: GPT2Parameters, prefixGradients: PrefixSlots?,
        extensionGradients: UnsafeMutablePointer<Float>?, dropout: DropoutMask?
    ) {
        let (nl, c, h, nb, nt) = (config.nLayer, config.nEmbd, config.innerSize, batch.batchSize, batch.length)
        let n = nb * nt
        let dres = acts.dresidual
        func grad(_ t: GPT2Tensor) -> UnsafeMutablePointer<Float>? {
            request.contains(t) ? gradients[t].baseAddress.unsafelyUnwrapped : nil
        }
        dres.update(repeating: 0, count: n * c)
        LayerNorm.backward(
            dinp: lowest < .finalNorm ? dres : nil, dweight: grad(.finalNormWeight), dbias: grad(.finalNormBias),
            dout: acts.dln, inp: acts.residual.at(nl),
            weight: parameters[.finalNormWeight].baseAddress.unsafelyUnwrapped,
            mean: acts.lnfMean, rstd: acts.lnfRstd, rows: n, channels: c)
        let shape = Attention.Shape(
            batch: nb, queries: nt, heads: config.nHead, headDim: config.headDim, queryOffset: cache.prefixLength,
            slotStride: cache.slotCapacity, queryStride: 3 * c, outStride: c)
        for l in stride(from: nl - 1, through: 0, by: -1) {
            // Whether the backward goes on below `step` of this block, i.e. needs that step's input gradient.
            func continuesBelow(_ step: BackwardStage.BlockStage) -> Bool { lowest < .block(l, step) }
            guard lowest <= .block(l, .mlpOutput) else { break }
            let w = BlockWeights(parameters, layer: l)
            func g(_ t: BlockTensor) -> UnsafeMutablePointer<Float>? { grad(.block(l, t)) }
            // The extension's backward at `point`, beside a Linear (`dinput` nil when the backward stops there).
            func beside(
                _ linear: BlockLinear, _ input: UnsafePointer<Float>, _ doutput: UnsafePointer<Float>,
                _ dinput: UnsafeMutablePointer<Float>, below: BackwardStage.BlockStage
            ) {
                let (inWidth, outWidth) = linear.shape(config)
                hookBackward(
                    .beside(linear), layer: l, rows: n, input: input, inputWidth: inWidth, doutput: doutput,
                    outputWidth: outWidth,
                    dinput: continuesBelow(below) ? dinput : nil, gradients: extensionGradients, acts: acts)
            }
            // x_{l+1} = mid + drop(mlp_proj(gelu(fc(ln_2(mid))))) [+ afterMLP, parallelMLP hooks]
            let dmlp = branchGradient(
                dres, attention: false, layer: l, input: acts.mid.at(l), lowest: lowest,
                extensionGradients: extensionGradients, acts: acts, dropout: dropout)
            projectionBackward(
                dinp: continuesBelow(.mlpProj) ? acts.dgelu : nil, dweight: g(.mlpProjWeight), dbias: g(.mlpProjBias),
                dout: dmlp, inp: acts.geluOut.at(l), weight: w.mlpProjWeight, rows: n, inFeatures: h, outFeatures: c,
                accumulateInput: false)
            beside(.mlpProj, acts.geluOut.at(l), dmlp, acts.dgelu, below: .mlpProj)
            guard continuesBelow(.mlpProj) else { break }
            GELU.backward(dinp: acts.dfch, inp: acts.fch.at(l), dout: acts.dgelu, count: n * h, accumulate: false)
            projectionBackward(
                dinp: continuesBelow(.fc) ? acts.dln : nil, dweight: g(.mlpFCWeight), dbias: g(.mlpFCBias),
                dout: acts.dfch, inp: acts.ln2Out.at(l), weight: w.fcWeight, rows: n, inFeatures: c, outFeatures: h,
                accumulateInput: false)
            beside(.mlpFC, acts.ln2Out.at(l), acts.dfch, acts.dln, below: .fc)
            guard continuesBelow(.fc) else { break }
            LayerNorm.backward(
                dinp: continuesBelow(.ln2) ? dres : nil, dweight: g(.ln2Weight), dbias: g(.ln2Bias), dout: acts.dln,
                inp: acts.mid.at(l), weight: w.ln2Weight, mean: acts.ln2Mean.at(l), rstd: acts.ln2Rstd.at(l), rows: n,
                channels: c)
            guard continuesBelow(.ln2) else { break }
            if hooks?.hasSublayerHook(attention: false, layer: l) == true { addInPlace(dres, acts.dhook, n * c) }
            // mid = x_l + drop(attn_proj(attention(qkv(ln_1(x_l)), prefix))) [+ afterAttention hooks]
            let dattn = branchGradient(
                dres, attention: true, layer: l, input: acts.residual.at(l), lowest: lowest,
                extensionGradients: extensionGradients, acts: acts, dropout: dropout)
            projectionBackward(
                dinp: continuesBelow(.attnProj) ? acts.datty : nil, dweight: g(.attnProjWeight),
                dbias: g(.attnProjBias), dout: dattn, inp: acts.atty.at(l), weight: w.attnProjWeight, rows: n,
                inFeatures: c, outFeatures: c, accumulateInput: false)
            beside(.attnProj, acts.atty.at(l), dattn, acts.datty, below: .attnProj)
            guard continuesBelow(.attnProj), let probs = acts.probs else { break }
            let storeCount = nb * config.nHead * shape.keys * config.headDim
            acts.dqkv.update(repeating: 0, count: n * 3 * c)
            acts.dkeys.update(repeating: 0, count: storeCount)
            acts.dvalues.update(repeating: 0, count: storeCount)
            roundForProducts(acts.datty, count: n * c)
            Attention.backward(
                dq: acts.dqkv, dkeys: acts.dkeys, dvalues: acts.dvalues, dout: acts.datty, probs: probs.at(l),
                q: acts.qkv.at(l), keys: cache.keys(layer: l), values: cache.values(layer: l), shape: shape,
                dropout: dropout?.site(1 + 3 * l), bf16Inputs: precision == .bf16)
            if let prefixGradients {
                foldPrefixGradients(acts: acts, into: prefixGradients, layer: l, batch: nb, keys: shape.keys)
            }
            guard continuesBelow(.attention) else { break }
            scatterKeyValueGradients(acts: acts, batch: nb, length: nt, prefixLength: cache.prefixLength)
            projectionBackward(
                dinp: continuesBelow(.qkv) ? acts.dln : nil, dweight: g(.attnQKVWeight), dbias: g(.attnQKVBias),
                dout: acts.dqkv, inp: acts.ln1Out.at(l), weight: w.qkvWeight, rows: n, inFeatures: c,
                outFeatures: 3 * c, accumulateInput: false)
            beside(.attnQKV, acts.ln1Out.at(l), acts.dqkv, acts.dln, below: .qkv)
            guard continuesBelow(.qkv) else { break }
            LayerNorm.backward(
                dinp: continuesBelow(.ln1) ? dres : nil, dweight: g(.ln1Weight), dbias: g(.ln1Bias), dout: acts.dln,
                inp: acts.residual.at(l), weight: w.ln1Weight, mean: acts.ln1Mean.at(l), rstd: acts.ln1Rstd.at(l),
                rows: n, channels: c)
            if continuesBelow(.ln1), hooks?.hasSublayerHook(attention: true, layer: l) == true {
                addInPlace(dres, acts.dhook, n * c)
            }
        }
        if lowest == .embeddings {
            dropout?.site(0).apply(dres, count: n * c)
            batch.tokens.withUnsafeBufferPointer { tokens in
                positions.withUnsafeBufferPointer { pos in
                    Embedding.backward(
                        dwte: grad(.tokenEmbedding), dwpe: grad(.positionEmbedding), dout: dres,
                        tokens: tokens.baseAddress.unsafelyUnwrapped, positions: pos.baseAddress.unsafelyUnwrapped,
                        rows: n, channels: c)
                }
            }
        }
    }

    /// ∂L/∂(projection output) of the attention or MLP sublayer of block `layer`, from `dres` = ∂L/∂(stream
    /// after it): `dres` itself without dropout or sublayer hooks. Otherwise, in `acts.dln` (free here; `dres`
    /// still flows on along the skip connection): `dres`, plus what the sublayer hooks add for the output h they
    /// read, through the branch's dropout mask. The hooks' stream-input gradient goes to `acts.dhook` (zeroed
    /// here), which the caller adds into `dres` once the sublayer's own backward has reached its input.
    private func branchGradient(
        _ dres: UnsafeMutablePointer<Float>, attention: Bool, layer l: Int, input: UnsafePointer<Float>,
        lowest: BackwardStage, extensionGradients: UnsafeMutablePointer<Float>?, acts: Activations,
        dropout: DropoutMask?
    ) -> UnsafeMutablePointer<Float> {
        let site = dropout?.site(attention ? 2 + 3 * l : 3 + 3 * l)
        let sublayerHooks = hooks?.hasSublayerHook(attention: attention, layer: l) == true
        guard site != nil || sublayerHooks else { return dres }
        let (c, n) = (config.nEmbd, acts.batch * acts.length)
        let scratch = acts.dln
        scratch.update(from: dres, count: n * c)
        if sublayerHooks {
            // Below the output step the sublayer's backward needs ∂L/∂h; below its LayerNorm, ∂L/∂(stream input).
            let output: BackwardStage.BlockStage = attention ? .attnOutput : .mlpOutput
            let streamIn: BackwardStage.BlockStage = attention ? .ln1 : .ln2
            let wantsInput = lowest < .block(l, streamIn)
            if wantsInput { acts.dhook.update(repeating: 0, count: n * c) }
            for point in HookTable.sublayerPoints(attention: attention) {
                hookBackward(
                    point, layer: l, rows: n, input: input, inputWidth: c, doutput: dres, outputWidth: c,
                    dinput: wantsInput ? acts.dhook : nil, dbranch: lowest < .block(l, output) ? scratch : nil,
                    gradients: extensionGradients, acts: acts)
            }
        }
        site?.apply(scratch, count: n * c)
        return scratch
    }

    /// Adds the key/value gradients of the prefix slots, summed over the batch rows (every row reads the
    /// same prefix), into layer `layer` of `prefixGradients`.
    private func foldPrefixGradients(acts: Activations, into target: PrefixSlots, layer: Int, batch nb: Int, keys: Int)
    {
        let (nh, hd, p) = (config.nHead, config.headDim, target.length)
        for b in 0..<nb {
            for h in 0..<nh {
                let src = (b * nh + h) * keys * hd
                addInPlace(target.keys(layer: layer) + h * p * hd, acts.dkeys + src, p * hd)
                addInPlace(target.values(layer: layer) + h * p * hd, acts.dvalues + src, p * hd)
            }
        }
    }

    /// Moves the gradients of this batch's own key/value slots into the k and v columns of dqkv.
    private func scatterKeyValueGradients(acts: Activations, batch nb: Int, length nt: Int, prefixLength p: Int) {
        let (c, nh, hd, keys) = (config.nEmbd, config.nHead, config.headDim, p + nt)
        for b in 0..<nb {
            for t in 0..<nt {
                let row = acts.dqkv + (b * nt + t) * 3 * c
                for h in 0..<nh {
                    let slot = ((b * nh + h) * keys + p + t) * hd
                    (row + c + h * hd).update(from: acts.dkeys + slot, count: hd)
                    (row + 2 * c + h * hd).update(from: acts.dvalues + slot, count: hd)
                }
            }
        }
    }
}
