/// Fully connected layer; its products of more than `SmallBatchLinear.maxRows` rows go through
/// `GEMMBlocks` (the only BLAS caller), whose results do not depend on the thread count.
///
/// GPT-2's Conv1D stores its weight `[in, out]` (`.inputMajor`); the tied LM head uses the token
/// embedding `[V, C]`, i.e. `[out, in]` (`.outputMajor`, torch `nn.Linear`). Both are row-major.
public enum Linear {
    public enum WeightLayout: Sendable {
        /// `W[in, out]`: out = inp · W (Hugging Face `Conv1D`).
        case inputMajor
        /// `W[out, in]`: out = inp · Wᵀ (`nn.Linear`, the tied LM head).
        case outputMajor
    }

    /// out[N, OC] = inp[N, C] · W + bias[OC], or out += … when `accumulate` (a residual connection
    /// written in place, which saves a buffer and a pass).
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, rows n: Int, inFeatures c: Int, outFeatures oc: Int,
        layout: WeightLayout = .inputMajor, accumulate: Bool = false
    ) {
        guard n > 0, oc > 0 else { return }
        if let bias {
            // Seed (or add) the bias first so BLAS can accumulate with beta = 1.
            for r in 0..<n {
                if accumulate {
                    addInPlace(out + r * oc, bias, oc)
                } else {
                    (out + r * oc).update(from: bias, count: oc)
                }
            }
        }
        // beta = 0 lets BLAS overwrite `out` (it need not be initialised: BLAS never reads it then).
        let beta: Float = accumulate || bias != nil ? 1 : 0
        guard c > 0 else {
            if beta == 0 { out.update(repeating: 0, count: n * oc) }
            return
        }
        if n > 1, n <= SmallBatchLinear.maxRows {
            switch layout {
            case .inputMajor:
                SmallBatchLinear.inputMajor(
                    out: out, inp: inp, weight: weight, rows: n, inFeatures: c, outFeatures: oc, accumulate: beta != 0)
            case .outputMajor:
                SmallBatchLinear.outputMajor(
                    out: out, inp: inp, weight: weight, rows: n, inFeatures: c, outFeatures: oc, accumulate: beta != 0)
            }
            return
        }
        if n == 1 {
            // One row: a matrix-vector product, bound by reading the weights once. Our own loops read them
            // 1.1–1.5× faster than `cblas_sgemv` (several streams per core; see RowLinear), which is itself ~4×
            // faster than a 1-row sgemm (measured on the model's shapes; eval/BENCHMARKS.md, Generation).
            switch layout {
            case .inputMajor:
                RowLinear.inputMajor(
                    out: out, inp: inp, weight: weight, inFeatures: c, outFeatures: oc, accumulate: beta != 0)
            case .outputMajor:
                RowLinear.outputMajor(
                    out: out, inp: inp, weight: weight, inFeatures: c, outFeatures: oc, accumulate: beta != 0)
            }
            return
        }
        // out[N, OC] = inp[N, C] · W, with W stored [C, OC] (input-major) or [OC, C] (output-major, transposed).
        GEMMBlocks.sgemm(
            c: out, ldc: oc, a: inp, lda: c, transA: false, b: weight, ldb: layout == .inputMajor ? oc : c,
            transB: layout == .outputMajor, rows: n, columns: oc, depth: c, beta: beta)
    }

    /// The mirror of `forward`: adds ∂L/∂inp = dout · Wᵀ into `dinp`, ∂L/∂W into `dweight` and
    /// ∂L/∂bias = Σ rows of dout into `dbias`, each only when given. A frozen layer passes nil for
    /// `dweight`/`dbias` (and may pass nil for `inp`, which only the weight gradient reads); the lowest
    /// trainable layer passes nil for `dinp`. `accumulateInput: false` overwrites `dinp` instead of adding
    /// (a scratch buffer then needs no zeroing pass).
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>?, weight: UnsafePointer<Float>,
        rows n: Int, inFeatures c: Int, outFeatures oc: Int, layout: WeightLayout = .inputMajor,
        accumulateInput: Bool = true
    ) {
        precondition(dweight == nil || inp != nil, "Linear.backward: a weight gradient needs the layer input")
        guard n > 0, c > 0, oc > 0 else { return }
        if let dinp {
            // dinp[N, C] (+)= dout[N, OC] · W[C, OC]ᵀ (input-major), or · W[OC, C] (output-major).
            GEMMBlocks.sgemm(
                c: dinp, ldc: c, a: dout, lda: oc, transA: false, b: weight, ldb: layout == .inputMajor ? oc : c,
                transB: layout == .inputMajor, rows: n, columns: c, depth: oc, beta: accumulateInput ? 1 : 0)
        }
        if let dweight, let inp {
            // The sum over the N rows is each element's depth, never split: only the output is cut into blocks.
            switch layout {
            case .inputMajor:  // dW[C, OC] += inp[N, C]ᵀ · dout[N, OC]
                GEMMBlocks.sgemm(
                    c: dweight, ldc: oc, a: inp, lda: c, transA: true, b: dout, ldb: oc, transB: false, rows: c,
                    columns: oc, depth: n, beta: 1)
            case .outputMajor:  // dW[OC, C] += dout[N, OC]ᵀ · inp[N, C]
                GEMMBlocks.sgemm(
                    c: dweight, ldc: c, a: dout, lda: oc, transA: true, b: inp, ldb: c, transB: false, rows: oc,
                    columns: c, depth: n, beta: 1)
            }
        }
        if let dbias {
            for r in 0..<n { addInPlace(dbias, dout + r * oc, oc) }
        }
    }
}
