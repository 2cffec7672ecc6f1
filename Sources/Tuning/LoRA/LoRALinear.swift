import Kernels

/// PEFT LoRA's low-rank update beside one Linear, in the paired forward/backward style of the Kernels target.
/// A `[r, in]` and B `[out, r]` are torch `nn.Linear` weights (`.outputMajor`), as PEFT stores them.
///
/// The scaling is applied to the `[N, r]` down-projection rather than to the `[N, out]` product PEFT scales:
/// r values per row instead of `out`, the same result up to float rounding (exactly when it is a power of two).
enum LoRALinear {
    /// down[N, r] = scaling · inp[N, in] · Aᵀ (kept for the backward), then out[N, out] += down · Bᵀ.
    static func forward(
        out: UnsafeMutablePointer<Float>, down: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, scaling: Float, rows n: Int, inFeatures: Int, rank r: Int,
        outFeatures: Int
    ) {
        Linear.forward(
            out: down, inp: inp, weight: a, bias: nil, rows: n, inFeatures: inFeatures, outFeatures: r,
            layout: .outputMajor)
        if scaling != 1 { for i in 0..<(n * r) { down[i] *= scaling } }
        Linear.forward(
            out: out, inp: down, weight: b, bias: nil, rows: n, inFeatures: r, outFeatures: outFeatures,
            layout: .outputMajor, accumulate: true)
    }

    /// The mirror of `forward`, given dout `[N, out]`: dB += doutᵀ · down; ddown = scaling · dout · B (in
    /// `ddown`, `[N, r]` scratch, overwritten); dA += ddownᵀ · inp; dinp += ddown · A. Each gradient only when
    /// given (a frozen module still passes `dinp` down).
    static func backward(
        dinp: UnsafeMutablePointer<Float>?, da: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
        ddown: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
        down: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, scaling: Float, rows n: Int,
        inFeatures: Int, rank r: Int, outFeatures: Int
    ) {
        let throughA = dinp != nil || da != nil
        Linear.backward(
            dinp: throughA ? ddown : nil, dweight: db, dbias: nil, dout: dout, inp: down, weight: b, rows: n,
            inFeatures: r, outFeatures: outFeatures, layout: .outputMajor, accumulateInput: false)
        guard throughA else { return }
        if scaling != 1 { for i in 0..<(n * r) { ddown[i] *= scaling } }
        Linear.backward(
            dinp: dinp, dweight: da, dbias: nil, dout: ddown, inp: inp, weight: a, rows: n, inFeatures: inFeatures,
            outFeatures: r, layout: .outputMajor, accumulateInput: true)
    }
}
