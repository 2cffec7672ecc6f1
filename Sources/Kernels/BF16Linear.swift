/// `Linear` with bfloat16 weights: the inputs of the product are rounded to bf16, the weights are bf16
/// (`BFloat16Matrix`), products are summed in f32 and the output is f32 — `torch.autocast`'s numerics for a
/// Linear (whose bf16 output this keeps in f32).
///
/// Widening a bf16 value to f32 is exact, so the products are exact in f32 and only the sums round, whatever
/// instructions run them. More than `SmallBatchLinear.maxRows` rows go through oneDNN's bf16 kernels on the
/// weights packed at load where the CPU has them (`BF16Backend.current`, `BFloat16Matrix.packed`), else through
/// `GEMMBlocks.sgemm(b16:)` (fixed blocks, bit for bit sgemm on the widened weights); both cut the output into
/// fixed blocks, so neither depends on the thread count. One row and a few rows (decoding) read the bf16
/// weights directly (`BF16RowLinear`), half the bytes of f32, on every CPU.
public enum BF16Linear {
    /// out[N, OC] = bf16(inp)[N, C] · W + bias[OC] (or out += … when `accumulate`), W in bf16 laid out as `layout`
    /// says (`Linear.WeightLayout`).
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: BFloat16Matrix,
        bias: UnsafePointer<Float>?, rows n: Int, inFeatures c: Int, outFeatures oc: Int,
        layout: Linear.WeightLayout = .inputMajor, accumulate: Bool = false
    ) {
        precondition(weight.count == c * oc, "BF16Linear.forward: weight has \(weight.count) values, not \(c) × \(oc)")
        guard n > 0, oc > 0 else { return }
        if let bias {
            for r in 0..<n {
                if accumulate {
                    addInPlace(out + r * oc, bias, oc)
                } else {
                    (out + r * oc).update(from: bias, count: oc)
                }
            }
        }
        let add = accumulate || bias != nil
        guard c > 0 else {
            if !add { out.update(repeating: 0, count: n * oc) }
            return
        }
        if n > SmallBatchLinear.maxRows, let packed = weight.packed, weight.layout == layout {
            let bits = UnsafeMutablePointer<UInt16>.allocate(capacity: n * c)
            defer { bits.deallocate() }
            BFloat16.narrow(bits, inp, n * c)
            // Every primitive exists before any block runs, so a failure leaves `out` untouched.
            if packed.forward.multiply(c: out, ldc: oc, a: bits, lda: c, rows: n, accumulate: add) { return }
        }
        let x = UnsafeMutablePointer<Float>.allocate(capacity: n * c)
        defer { x.deallocate() }
        BFloat16.round(x, inp, n * c)
        let w = weight.storage
        switch (n, layout) {
        case (1, .inputMajor):
            BF16RowLinear.inputMajor(out: out, inp: x, weight: w, inFeatures: c, outFeatures: oc, accumulate: add)
        case (1, .outputMajor):
            BF16RowLinear.outputMajor(out: out, inp: x, weight: w, inFeatures: c, outFeatures: oc, accumulate: add)
        case (2...SmallBatchLinear.maxRows, .inputMajor):
            BF16RowLinear.fewRowsInputMajor(
                out: out, inp: x, weight: w, rows: n, inFeatures: c, outFeatures: oc, accumulate: add)
        case (2...SmallBatchLinear.maxRows, .outputMajor):
            BF16RowLinear.fewRowsOutputMajor(
                out: out, inp: x, weight: w, rows: n, inFeatures: c, outFeatures: oc, accumulate: add)
        default:
            GEMMBlocks.sgemm(
                c: out, ldc: oc, a: x, lda: c, transA: false, b16: w, ldb: layout == .inputMajor ? oc : c,
                transB: layout == .outputMajor, rows: n, columns: oc, depth: c, beta: add ? 1 : 0)
        }
    }

    /// The mirror of `forward`, as autocast's backward runs it: the output gradient is rounded to bf16 (it is
    /// the gradient of a bf16 tensor in torch), then ∂L/∂inp = bf16(dout) · Wᵀ with the bf16 weights, and, for a
    /// trained weight, ∂L/∂W from bf16(inp) and bf16(dout) — all summed in f32 and added into f32 buffers (the
    /// f32 master weight's gradient). ∂L/∂bias sums the rounded rows. Arguments as `Linear.backward`.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>?, weight: BFloat16Matrix,
        rows n: Int, inFeatures c: Int, outFeatures oc: Int, layout: Linear.WeightLayout = .inputMajor,
        accumulateInput: Bool = true
    ) {
        precondition(dweight == nil || inp != nil, "BF16Linear.backward: a weight gradient needs the layer input")
        guard n > 0, c > 0, oc > 0 else { return }
        let g = UnsafeMutablePointer<Float>.allocate(capacity: n * oc)
        defer { g.deallocate() }
        BFloat16.round(g, dout, n * oc)
        if let dinp, n > SmallBatchLinear.maxRows, let packed = weight.packed, weight.layout == layout {
            let bits = UnsafeMutablePointer<UInt16>.allocate(capacity: n * oc)
            defer { bits.deallocate() }
            BFloat16.narrow(bits, g, n * oc)
            if !packed.backward.multiply(c: dinp, ldc: c, a: bits, lda: oc, rows: n, accumulate: accumulateInput) {
                portableInputGradient(dinp, g: g, weight: weight, n: n, c: c, oc: oc, layout: layout, accumulateInput)
            }
        } else if let dinp {
            portableInputGradient(dinp, g: g, weight: weight, n: n, c: c, oc: oc, layout: layout, accumulateInput)
        }
        if let dweight, let inp {
            let x = UnsafeMutablePointer<Float>.allocate(capacity: n * c)
            defer { x.deallocate() }
            BFloat16.round(x, inp, n * c)
            // The f32 path's products on the rounded operands (Linear.backward with no input gradient).
            Linear.backward(
                dinp: nil, dweight: dweight, dbias: nil, dout: g, inp: x, weight: UnsafePointer(x), rows: n,
                inFeatures: c, outFeatures: oc, layout: layout)
        }
        if let dbias {
            for r in 0..<n { addInPlace(dbias, g + r * oc, oc) }
        }
    }

    /// dinp[N, C] (+)= g[N, OC] · Wᵀ on the widened bf16 weights (`GEMMBlocks.sgemm(b16:)`).
    private static func portableInputGradient(
        _ dinp: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, weight: BFloat16Matrix, n: Int, c: Int, oc: Int,
        layout: Linear.WeightLayout, _ accumulateInput: Bool
    ) {
        GEMMBlocks.sgemm(
            c: dinp, ldc: c, a: g, lda: oc, transA: false, b16: weight.storage, ldb: layout == .inputMajor ? oc : c,
            transB: layout == .inputMajor, rows: n, columns: c, depth: oc, beta: accumulateInput ? 1 : 0)
    }
}
