import CBLAS

/// Fully connected layer: the only caller of BLAS in the package.
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
        let n32 = Int32(n), c32 = Int32(c), oc32 = Int32(oc)
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
        switch layout {
        case .inputMajor:
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n32, oc32, c32, 1, inp, c32, weight, oc32, beta, out, oc32)
        case .outputMajor:
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n32, oc32, c32, 1, inp, c32, weight, c32, beta, out, oc32)
        }
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
        let n32 = Int32(n), c32 = Int32(c), oc32 = Int32(oc)
        if let dinp {
            let beta: Float = accumulateInput ? 1 : 0
            switch layout {
            case .inputMajor:  // dinp[N, C] += dout[N, OC] · W[C, OC]ᵀ
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n32, c32, oc32, 1, dout, oc32, weight, oc32, beta, dinp, c32)
            case .outputMajor:  // dinp[N, C] += dout[N, OC] · W[OC, C]
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n32, c32, oc32, 1, dout, oc32, weight, c32, beta, dinp, c32)
            }
        }
        if let dweight, let inp {
            switch layout {
            case .inputMajor:  // dW[C, OC] += inp[N, C]ᵀ · dout[N, OC]
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c32, oc32, n32, 1, inp, c32, dout, oc32, 1, dweight, oc32)
            case .outputMajor:  // dW[OC, C] += dout[N, OC]ᵀ · inp[N, C]
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, oc32, c32, n32, 1, dout, oc32, inp, c32, 1, dweight, c32)
            }
        }
        if let dbias {
            for r in 0..<n { addInPlace(dbias, dout + r * oc, oc) }
        }
    }
}
