/// The bottleneck of an adapter — AdapterHub's `Adapter` module (`adapters/methods/modeling.py`): a
/// down-projection to M channels, a non-linearity, an up-projection back to C channels, times a scaling factor
/// s, ADDED into `out` (the caller decides what it is added to: the residual stream, a sub-layer's output):
///
///     pre[N, M]  = inp[N, C] · Wdᵀ + bd          Wd [M, C], bd [M]   (torch nn.Linear, `adapter_down.0`)
///     act[N, M]  = s · f(pre)
///     out[N, C] += act · Wuᵀ + s · bu            Wu [C, M], bu [C]   (`adapter_up`)
///
/// That is s · (f(pre) · Wuᵀ + bu), AdapterHub's `up * scaling`, with s moved onto the M-wide activations:
/// the backward then needs `act` exactly as stored for ∂Wu, and no [N, C] scratch holds the unscaled output.
public enum Bottleneck {
    /// Adds the bottleneck of `inp` into `out`, keeping `pre` and `act` (`[N, M]` each) for the backward.
    /// `out` must not alias `inp`.
    public static func forward(
        out: UnsafeMutablePointer<Float>, pre: UnsafeMutablePointer<Float>, act: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, downWeight: UnsafePointer<Float>, downBias: UnsafePointer<Float>,
        upWeight: UnsafePointer<Float>, upBias: UnsafePointer<Float>, scaling s: Float, nonlinearity: Nonlinearity,
        rows n: Int, channels c: Int, bottleneck m: Int
    ) {
        guard n > 0, m > 0 else {
            if n > 0 { addScaledBias(out, upBias, s, rows: n, channels: c) }
            return
        }
        Linear.forward(
            out: pre, inp: inp, weight: downWeight, bias: downBias, rows: n, inFeatures: c, outFeatures: m,
            layout: .outputMajor)
        nonlinearity.forward(out: act, inp: pre, count: n * m)
        if s != 1 { for i in 0..<(n * m) { act[i] *= s } }
        Linear.forward(
            out: out, inp: act, weight: upWeight, bias: nil, rows: n, inFeatures: m, outFeatures: c,
            layout: .outputMajor, accumulate: true)
        addScaledBias(out, upBias, s, rows: n, channels: c)
    }

    /// The mirror of `forward`, given ∂L/∂out: ADDS ∂L/∂inp into `dinp` and the weight gradients into their
    /// buffers, each only when given (nil `dinp` at the lowest trainable layer). `scratch` (`[N, M]`) is
    /// overwritten; `pre` and `act` are what the forward kept.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, ddownWeight: UnsafeMutablePointer<Float>?,
        ddownBias: UnsafeMutablePointer<Float>?, dupWeight: UnsafeMutablePointer<Float>?,
        dupBias: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, pre: UnsafePointer<Float>, act: UnsafePointer<Float>,
        downWeight: UnsafePointer<Float>, upWeight: UnsafePointer<Float>, scaling s: Float,
        nonlinearity: Nonlinearity, rows n: Int, channels c: Int, bottleneck m: Int
    ) {
        guard n > 0 else { return }
        if let dupBias {
            // ∂bu = s · Σ_rows dout
            for r in 0..<n { axpy(dupBias, s, dout + r * c, c) }
        }
        guard m > 0 else { return }
        // ∂act = dout · Wu; ∂Wu += doutᵀ · act
        Linear.backward(
            dinp: scratch, dweight: dupWeight, dbias: nil, dout: dout, inp: act, weight: upWeight, rows: n,
            inFeatures: m, outFeatures: c, layout: .outputMajor, accumulateInput: false)
        // ∂pre = s · f′(pre) · ∂act
        nonlinearity.backward(dinp: scratch, dout: scratch, inp: pre, count: n * m)
        if s != 1 { for i in 0..<(n * m) { scratch[i] *= s } }
        Linear.backward(
            dinp: dinp, dweight: ddownWeight, dbias: ddownBias, dout: scratch, inp: inp, weight: downWeight, rows: n,
            inFeatures: c, outFeatures: m, layout: .outputMajor, accumulateInput: true)
    }

    /// out[r] += s · bias for every row.
    private static func addScaledBias(
        _ out: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ s: Float, rows n: Int, channels c: Int
    ) {
        for r in 0..<n { axpy(out + r * c, s, bias, c) }
    }
}
