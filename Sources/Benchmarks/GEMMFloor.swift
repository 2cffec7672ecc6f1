import GPT2
import Kernels
import LNTune
import ResourceUsage

/// The part of a model step BLAS sets: the matrix products of one forward (and the input-gradient products
/// of a frozen-weight backward) timed alone on scratch buffers, best of three.
enum GEMMFloor {
    static func elapsed(_ config: GPT2Config, rows n: Int, headRows: Int, backward: Bool) -> Elapsed {
        let (c, h, v) = (config.nEmbd, config.innerSize, config.vocabSize)
        // (in, out) of each block Linear; the head is (C, V) on `headRows` rows.
        let shapes = [(c, 3 * c), (c, c), (c, h), (h, c)]
        let maxIn = max(h, c), maxOut = max(3 * c, h)
        let rows = max(n, headRows)
        let x = UnsafeMutablePointer<Float>.allocate(capacity: rows * max(maxIn, v))
        let y = UnsafeMutablePointer<Float>.allocate(capacity: rows * max(maxOut, v))
        let w = UnsafeMutablePointer<Float>.allocate(capacity: max(maxIn * maxOut, v * c))
        defer { x.deallocate(); y.deallocate(); w.deallocate() }
        x.initialize(repeating: 0.01, count: rows * max(maxIn, v))
        y.initialize(repeating: 0.01, count: rows * max(maxOut, v))
        w.initialize(repeating: 0.01, count: max(maxIn * maxOut, v * c))
        let runs = TimedRuns.measure(repeats: 3) {
            for _ in 0..<config.nLayer {
                for (i, o) in shapes {
                    Linear.forward(out: y, inp: x, weight: w, bias: nil, rows: n, inFeatures: i, outFeatures: o)
                    if backward {
                        Linear.backward(
                            dinp: x, dweight: nil, dbias: nil, dout: y, inp: nil, weight: w, rows: n, inFeatures: i,
                            outFeatures: o, accumulateInput: false)
                    }
                }
            }
            Linear.forward(
                out: y, inp: x, weight: w, bias: nil, rows: headRows, inFeatures: c, outFeatures: v,
                layout: .outputMajor)
            if backward {
                Linear.backward(
                    dinp: x, dweight: nil, dbias: nil, dout: y, inp: nil, weight: w, rows: headRows, inFeatures: c,
                    outFeatures: v, layout: .outputMajor, accumulateInput: false)
            }
        }
        return Elapsed(wallSeconds: runs.bestWallSeconds, cpuSeconds: runs.bestCPUSeconds)
    }
}
