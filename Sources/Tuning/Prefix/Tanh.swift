import Foundation

/// The prefix MLP's nonlinearity, in the paired forward/backward style of the Kernels target.
///
/// It runs once per training step on P × hidden values (5,120 for the paper's 10 × 512), so libm's
/// correctly rounded-to-within-an-ulp `tanhf` costs nothing measurable and keeps parity with torch tight;
/// a SIMD polynomial would buy no time here.
public enum Tanh {
    /// out[i] = tanh(inp[i]); `out` may be `inp`.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = Foundation.tanh(inp[i]) }
    }

    /// dinp[i] = dout[i] · (1 − out[i]²), from the forward's output (tanh' = 1 − tanh²), overwriting `dinp`.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>, count: Int
    ) {
        for i in 0..<count { dinp[i] = dout[i] * (1 - out[i] * out[i]) }
    }
}
