import Kernels

/// The tied LM head (logits = ln_f output · wteᵀ) and the loss on top of it, applied only to the rows
/// that need it, in chunks so a `[rows, 50257]` logits block never has to exist whole.
extension GPT2Model {
    /// Rows of logits computed per chunk in the loss (25 MB of logits for GPT-2's vocabulary).
    static let headChunk = 128

    /// Logits at the flat positions `rows`, from the ln_f output.
    func headLogits(rows: [Int], acts: Activations) -> Logits {
        let (c, v) = (config.nEmbd, config.vocabSize)
        let x = UnsafeMutablePointer<Float>.allocate(capacity: max(rows.count * c, 1))
        defer { x.deallocate() }
        for (i, r) in rows.enumerated() { (x + i * c).update(from: acts.lnf + r * c, count: c) }
        let wte = parameters[.tokenEmbedding].baseAddress.unsafelyUnwrapped
        // Written whole by the product (no zero fill first: for every position that is 200 MB of stores).
        let values = [Float](unsafeUninitializedCapacity: rows.count * v) { out, initialized in
            if !rows.isEmpty {
                projection(
                    out: out.baseAddress.unsafelyUnwrapped, inp: x, weight: wte, bias: nil, rows: rows.count,
                    inFeatures: c, outFeatures: v, layout: .outputMajor)
            }
            initialized = rows.count * v
        }
        return Logits(vocabSize: v, positions: rows, values: values)
    }

    /// Per-target cross-entropy; with `gradients`, also adds ∂loss/∂(ln_f output) into `dlnf` (rows
    /// without a target get nothing) and ∂loss/∂wte into `dwte` when given.
    func headLoss(
        _ targets: LossTargets, acts: Activations,
        gradients: (dlnf: UnsafeMutablePointer<Float>, dwte: UnsafeMutablePointer<Float>?)?
    ) -> LossResult {
        let (c, v) = (config.nEmbd, config.vocabSize)
        let chunk = Self.headChunk
        let count = targets.positions.count
        var losses = [Float](repeating: 0, count: count)
        let (x, dx, logits) = (acts.headInput, acts.headInputGradient, acts.headLogits)
        let wte = parameters[.tokenEmbedding].baseAddress.unsafelyUnwrapped
        var start = 0
        while start < count {
            let m = min(chunk, count - start)
            for i in 0..<m { (x + i * c).update(from: acts.lnf + targets.positions[start + i] * c, count: c) }
            projection(
                out: logits, inp: x, weight: wte, bias: nil, rows: m, inFeatures: c, outFeatures: v,
                layout: .outputMajor)
            targets.labels.withUnsafeBufferPointer { labels in
                targets.scales.withUnsafeBufferPointer { scales in
                    losses.withUnsafeMutableBufferPointer { out in
                        CrossEntropy.forward(
                            losses: out.baseAddress.unsafelyUnwrapped + start, dlogits: gradients == nil ? nil : logits,
                            logits: logits, targets: labels.baseAddress.unsafelyUnwrapped + start,
                            dlossScale: scales.baseAddress.unsafelyUnwrapped + start, rows: m, vocab: v,
                            labelSmoothing: targets.labelSmoothing)
                    }
                }
            }
            if let gradients {
                // logits now hold dlogits: dx = dlogits · wte, dwte += dlogitsᵀ · x.
                projectionBackward(
                    dinp: dx, dweight: gradients.dwte, dbias: nil, dout: logits, inp: x, weight: wte, rows: m,
                    inFeatures: c, outFeatures: v, layout: .outputMajor, accumulateInput: false)
                for i in 0..<m { addInPlace(gradients.dlnf + targets.positions[start + i] * c, dx + i * c, c) }
            }
            start += m
        }
        return targets.result(losses)
    }
}
