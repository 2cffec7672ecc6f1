/// Softmax cross-entropy over the vocabulary with optional label smoothing, forward and backward fused
/// (llm.c `crossentropy_softmax_backward`), matching torch `CrossEntropyLoss(label_smoothing: ε)`:
/// the target distribution is q = (1−ε)·onehot(target) + ε/V, so
/// loss = (1−ε)·(lse − x[target]) + ε·(lse − mean(x)), and ∂loss/∂x = softmax(x) − q.
public enum CrossEntropy {
    /// For each of `m` rows of `logits[m, V]`: writes the row's loss into `losses[m]` and, when `dlogits`
    /// is given, writes (not adds: it is a per-call scratch) `dlossScale[m] · (softmax − q)` into
    /// `dlogits[m, :]`. `dlogits` may alias `logits`. `dlossScale[m]` is ∂(total loss)/∂(row loss), e.g.
    /// 1/(number of targets) for a mean; a row with scale 0 gets a zero gradient.
    /// Targets were validated by the caller (0 ≤ target < V).
    public static func forward(
        losses: UnsafeMutablePointer<Float>, dlogits: UnsafeMutablePointer<Float>?, logits: UnsafePointer<Float>,
        targets: UnsafePointer<Int32>, dlossScale: UnsafePointer<Float>?, rows m: Int, vocab v: Int,
        labelSmoothing eps: Float = 0
    ) {
        Parallel.forEach(m, work: m * v * 10) { r in
            let x = logits + r * v
            let target = Int(targets[r])
            let mx = maxElement(x, v)
            let mv = Vec(repeating: mx)
            var accExp = Vec()
            var accSum = Vec()
            var i = 0
            while i + 16 <= v {
                let xi = load(x + i)
                accExp += vexp(xi - mv)
                accSum += xi
                i += 16
            }
            var sExp = Double(accExp.sum())
            var sSum = Double(accSum.sum())
            while i < v {
                sExp += Double(sexp(x[i] - mx))
                sSum += Double(x[i])
                i += 1
            }
            let lse = Double(mx) + log(sExp)
            let nll = lse - Double(x[target])
            let smooth = lse - sSum / Double(v)
            losses[r] = Float((1 - Double(eps)) * nll + Double(eps) * smooth)
            guard let dlogits else { return }
            let scale = dlossScale?[r] ?? 1
            let y = dlogits + r * v
            let lseF = Float(lse)
            let uniform = eps / Float(v)
            let targetValue = x[target]  // read before the row is overwritten when y aliases x
            i = 0
            let sv = Vec(repeating: scale), lv = Vec(repeating: lseF), uv = Vec(repeating: uniform)
            while i + 16 <= v {
                store((vexp(load(x + i) - lv) - uv) * sv, y + i)
                i += 16
            }
            while i < v {
                y[i] = (sexp(x[i] - lseF) - uniform) * scale
                i += 1
            }
            y[target] = (sexp(targetValue - lseF) - uniform - (1 - eps)) * scale
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
