import Foundation

/// The element-wise non-linearities a bottleneck adapter may use, under the names AdapterHub's `BnConfig`
/// writes (`non_linearity`, resolved by transformers' `get_activation`):
///
///     relu       max(x, 0)
///     swish      x·σ(x)  (torch SiLU; AdapterHub also accepts "silu")
///     gelu       ½x(1 + erf(x/√2)), the exact GELU (transformers `GELUActivation`)
///     gelu_new   GPT-2's tanh approximation (the `GELU` kernel)
///     tanh
///     leakyrelu  x, or 0.01·x below zero (torch's default slope)
///
/// They run on the adapter's narrow hidden layer (rows × bottleneck, a few percent of the model's own
/// activations), so plain loops over libm's correctly rounded functions cost nothing measurable and keep
/// parity with torch tight; only `gelu_new` reuses the vectorised GPT-2 kernel.
public enum Nonlinearity: String, Sendable, CaseIterable, Codable {
    case relu
    case swish
    case gelu
    case geluNew = "gelu_new"
    case tanh
    case leakyRelu = "leakyrelu"

    /// The non-linearity AdapterHub means by `name` (case-insensitive, as it lowercases it), or nil.
    public init?(adapterHubName name: String) {
        let lower = name.lowercased()
        self.init(rawValue: lower == "silu" ? "swish" : lower)
    }

    static let leakySlope: Float = 0.01
    static let invSqrt2: Float = 0.707_106_781_186_547_5
    static let invSqrt2Pi: Float = 0.398_942_280_401_432_7

    /// out[i] = f(inp[i]); `out` may alias `inp`.
    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count n: Int) {
        switch self {
        case .relu:
            for i in 0..<n { out[i] = max(inp[i], 0) }
        case .swish:
            for i in 0..<n {
                let x = inp[i]
                out[i] = x / (1 + Foundation.exp(-x))
            }
        case .gelu:
            for i in 0..<n {
                let x = inp[i]
                out[i] = 0.5 * x * (1 + Foundation.erf(x * Self.invSqrt2))
            }
        case .geluNew:
            GELU.forward(out: out, inp: inp, count: n)
        case .tanh:
            for i in 0..<n { out[i] = Foundation.tanh(inp[i]) }
        case .leakyRelu:
            for i in 0..<n {
                let x = inp[i]
                out[i] = x < 0 ? Self.leakySlope * x : x
            }
        }
    }

    /// dinp[i] = f′(inp[i]) · dout[i], overwriting `dinp` (which may alias `dout`); `inp` is the
    /// pre-activation the forward read.
    public func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count n: Int
    ) {
        switch self {
        case .relu:
            // torch's threshold_backward: the gradient passes where x > 0 (0 at x = 0).
            for i in 0..<n { dinp[i] = inp[i] > 0 ? dout[i] : 0 }
        case .swish:
            for i in 0..<n {
                let x = inp[i]
                let s = 1 / (1 + Foundation.exp(-x))
                dinp[i] = dout[i] * s * (1 + x * (1 - s))
            }
        case .gelu:
            for i in 0..<n {
                let x = inp[i]
                let cdf = 0.5 * (1 + Foundation.erf(x * Self.invSqrt2))
                let pdf = Self.invSqrt2Pi * Foundation.exp(-0.5 * x * x)
                dinp[i] = dout[i] * (cdf + x * pdf)
            }
        case .geluNew:
            GELU.backward(dinp: dinp, inp: inp, dout: dout, count: n, accumulate: false)
        case .tanh:
            for i in 0..<n {
                let t = Foundation.tanh(inp[i])
                dinp[i] = dout[i] * (1 - t * t)
            }
        case .leakyRelu:
            for i in 0..<n { dinp[i] = inp[i] > 0 ? dout[i] : Self.leakySlope * dout[i] }
        }
    }
}
