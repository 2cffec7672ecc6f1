import Testing
import TestSupport
import WorkerThreads

import Kernels

/// The thread counts every kernel is run with: one, the target machine's two, an odd count, and more threads
/// than blocks in some of the products below.
private let threadCounts = [1, 2, 3, 7]

/// The bit patterns `make` returns when the kernels run on `threads` threads.
private func bits(threads: Int, _ make: () -> [Float]) -> [UInt32] {
    WorkerThreads.with(count: threads) { make().map(\.bitPattern) }
}

/// `make`'s bits are the same for every thread count (the first count's result is the reference).
private func expectSameBits(_ what: String, _ make: () -> [Float]) {
    let reference = bits(threads: threadCounts[0], make)
    for threads in threadCounts.dropFirst() {
        let other = bits(threads: threads, make)
        let differing = zip(reference, other).filter { $0 != $1 }.count
        #expect(
            other.count == reference.count && differing == 0,
            "\(what): \(differing) values differ on \(threads) threads")
    }
}

/// (rows, in, out): products cut into several output blocks along rows, columns or both (at most 512 × 512
/// each), weight gradients whose depth is the row count, the few-row loops of decoding (1 and 2–40 rows)
/// with input widths of several feature blocks, and sizes below the threshold for going parallel at all.
private let linearShapes: [(Int, Int, Int)] = [
    (1030, 96, 600), (300, 600, 700), (45, 530, 1100), (1, 800, 1100), (7, 800, 1100), (33, 1200, 300), (9, 20, 12),
]

/// Linear's forward and backward — sgemm in fixed output blocks, and the few-row loops' fixed feature
/// blocks — give the same bits on any number of threads, for both weight layouts.
@Test(arguments: linearShapes.indices)
func linearIsTheSameOnAnyThreadCount(_ index: Int) {
    let (n, c, oc) = linearShapes[index]
    var rng = SeededRandom(seed: UInt64(index) + 90)
    let inp = TestBuffer(rng.normals(n * c)), dout = TestBuffer(rng.normals(n * oc))
    let bias = TestBuffer(rng.normals(oc)), weight = TestBuffer(rng.normals(c * oc, std: 0.2))
    for layout in [Linear.WeightLayout.inputMajor, .outputMajor] {
        expectSameBits("forward \(layout) \(n)×\(c)×\(oc)") {
            let out = TestBuffer<Float>(zeros: n * oc)
            Linear.forward(
                out: out.pointer, inp: inp.readOnly, weight: weight.readOnly, bias: bias.readOnly, rows: n,
                inFeatures: c, outFeatures: oc, layout: layout)
            return out.array
        }
        expectSameBits("backward \(layout) \(n)×\(c)×\(oc)") {
            let dinp = TestBuffer<Float>(repeating: 0.5, count: n * c)
            let dweight = TestBuffer<Float>(repeating: 0.25, count: c * oc), dbias = TestBuffer<Float>(zeros: oc)
            Linear.backward(
                dinp: dinp.pointer, dweight: dweight.pointer, dbias: dbias.pointer, dout: dout.readOnly,
                inp: inp.readOnly, weight: weight.readOnly, rows: n, inFeatures: c, outFeatures: oc, layout: layout)
            return dinp.array + dweight.array + dbias.array
        }
    }
}

/// LayerNorm's parameter gradients, sums over rows, come out of fixed blocks of rows added in block order:
/// the same bits on any number of threads (forward and input gradient too).
@Test(arguments: [(1000, 96), (129, 768), (70, 20)])
func layerNormIsTheSameOnAnyThreadCount(rows n: Int, channels c: Int) {
    var rng = SeededRandom(seed: UInt64(n + c))
    let inp = TestBuffer(rng.normals(n * c, std: 2)), dout = TestBuffer(rng.normals(n * c))
    let weight = TestBuffer(rng.normals(c)), bias = TestBuffer(rng.normals(c))
    expectSameBits("layer norm \(n)×\(c)") {
        let out = TestBuffer<Float>(zeros: n * c), mean = TestBuffer<Float>(zeros: n),
            rstd = TestBuffer<Float>(zeros: n)
        LayerNorm.forward(
            out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, inp: inp.readOnly, weight: weight.readOnly,
            bias: bias.readOnly, rows: n, channels: c, epsilon: 1e-5)
        let dinp = TestBuffer<Float>(zeros: n * c), dweight = TestBuffer<Float>(zeros: c)
        let dbias = TestBuffer<Float>(zeros: c)
        LayerNorm.backward(
            dinp: dinp.pointer, dweight: dweight.pointer, dbias: dbias.pointer, dout: dout.readOnly,
            inp: inp.readOnly, weight: weight.readOnly, mean: mean.readOnly, rstd: rstd.readOnly, rows: n,
            channels: c)
        return out.array + dinp.array + dweight.array + dbias.array
    }
}

/// Attention (one task per batch row and head), cross-entropy (one per row), GELU and dropout (fixed blocks
/// of elements) give the same bits on any number of threads.
@Test func rowWiseKernelsAreTheSameOnAnyThreadCount() {
    var rng = SeededRandom(seed: 5)
    let (batch, heads, t, hd) = (3, 4, 40, 32)
    let c = heads * hd
    let shape = Attention.Shape(
        batch: batch, queries: t, heads: heads, headDim: hd, queryOffset: 0, slotStride: t, queryStride: 3 * c,
        outStride: c)
    let q = TestBuffer(rng.normals(batch * t * 3 * c)), dout = TestBuffer(rng.normals(batch * t * c))
    let k = TestBuffer(rng.normals(batch * heads * t * hd)), v = TestBuffer(rng.normals(batch * heads * t * hd))
    let mask = TestBuffer([UInt8](repeating: 1, count: batch * t))
    let dropout = DropoutMask(rate: 0.1, key: 11)
    expectSameBits("attention") {
        let out = TestBuffer<Float>(zeros: batch * t * c), probs = TestBuffer<Float>(zeros: shape.probabilityCount)
        Attention.forward(
            out: out.pointer, probs: probs.pointer, q: q.readOnly, keys: k.readOnly, values: v.readOnly,
            keyMask: mask.readOnly, shape: shape, dropout: dropout)
        let dq = TestBuffer<Float>(zeros: batch * t * 3 * c)
        let dk = TestBuffer<Float>(zeros: k.count), dv = TestBuffer<Float>(zeros: v.count)
        Attention.backward(
            dq: dq.pointer, dkeys: dk.pointer, dvalues: dv.pointer, dout: dout.readOnly, probs: probs.readOnly,
            q: q.readOnly, keys: k.readOnly, values: v.readOnly, shape: shape, dropout: dropout)
        return out.array + dq.array + dk.array + dv.array
    }
    let (rows, vocab) = (37, 3000)
    let logits = TestBuffer(rng.normals(rows * vocab, std: 3))
    let targets = TestBuffer((0..<rows).map { Int32($0 * 71 % vocab) })
    expectSameBits("cross-entropy") {
        let losses = TestBuffer<Float>(zeros: rows), dlogits = TestBuffer<Float>(zeros: rows * vocab)
        CrossEntropy.forward(
            losses: losses.pointer, dlogits: dlogits.pointer, logits: logits.readOnly, targets: targets.readOnly,
            dlossScale: nil, rows: rows, vocab: vocab, labelSmoothing: 0.1)
        return losses.array + dlogits.array
    }
    let x = TestBuffer(rng.normals(100_000))
    expectSameBits("GELU and dropout") {
        let y = TestBuffer<Float>(zeros: x.count), dx = TestBuffer<Float>(zeros: x.count)
        GELU.forward(out: y.pointer, inp: x.readOnly, count: x.count)
        GELU.backward(dinp: dx.pointer, inp: x.readOnly, dout: y.readOnly, count: x.count)
        dropout?.apply(dx.pointer, count: dx.count)
        return y.array + dx.array
    }
}

/// `Parallel.forEach` calls the body exactly once per index whatever the thread count, and
/// `Parallel.forEachBlock` covers the range with blocks fixed by the count and size alone.
@Test(arguments: threadCounts)
func parallelLoopsVisitEveryIndexOnce(threads: Int) {
    WorkerThreads.with(count: threads) {
        #expect(Parallel.width == threads)
        let visits = TestBuffer<Int>(zeros: 1000)
        Parallel.forEach(1000) { visits[$0] += 1 }  // each index is one thread's: no race
        #expect(visits.array == [Int](repeating: 1, count: 1000))
        let starts = TestBuffer<Int>(repeating: -1, count: 8)
        Parallel.forEachBlock(1000, size: 128) { range in starts[range.lowerBound / 128] = range.count }
        #expect(starts.array == [128, 128, 128, 128, 128, 128, 128, 104])
    }
}

/// `LNTUNE_THREADS` takes a whole number from 1 to 1024; blank means unset; anything else is a typed error
/// naming the value.
@Test func threadCountParsing() throws {
    #expect(try WorkerThreads.parse(nil) == nil)
    #expect(try WorkerThreads.parse(" ") == nil)
    #expect(try WorkerThreads.parse("3") == 3)
    #expect(try WorkerThreads.parse(" 16\n") == 16)
    for bad in ["0", "-2", "two", "1.5", "1025"] {
        #expect(throws: InvalidThreadCount(value: bad)) { try WorkerThreads.parse(bad) }
    }
    #expect("\(InvalidThreadCount(value: "two"))".contains("LNTUNE_THREADS=\"two\""))
    #expect(WorkerThreads.with(count: 0) { WorkerThreads.count } == 1)
}
