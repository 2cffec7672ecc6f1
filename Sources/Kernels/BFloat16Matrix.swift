/// A weight matrix stored in bfloat16, converted from f32 once (at load, or after an optimizer step for a
/// trained matrix), row-major `[rows, columns]` as its f32 original.
///
/// Half the bytes of the f32 matrix: the one-row and few-row products of decoding, which are bound by reading
/// the weights, read these and widen them in registers (`BF16Linear`). Where oneDNN's bf16 kernels run
/// (`BF16Backend.current`), the matrix is also packed once in oneDNN's layout for the forward product and for
/// the backward input-gradient product (`packed`), so no product re-lays or re-casts weights.
public final class BFloat16Matrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let storage: UnsafeMutablePointer<UInt16>
    public var count: Int { rows * columns }
    /// How the products use the matrix (`Linear.WeightLayout`); the packed forms follow it.
    public let layout: Linear.WeightLayout
    /// oneDNN's packed forms, nil on the portable path.
    public private(set) var packed: (forward: OneDNNPackedWeights, backward: OneDNNPackedWeights)?

    /// `source` `[rows, columns]` rounded to bf16 (nearest even), packed for oneDNN when `backend` is oneDNN.
    public init(
        _ source: UnsafePointer<Float>, rows: Int, columns: Int, layout: Linear.WeightLayout = .inputMajor,
        backend: BF16Backend = BF16Backend.current
    ) {
        self.rows = rows
        self.columns = columns
        self.layout = layout
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(rows * columns, 1) * 2, alignment: 64)
        storage = raw.bindMemory(to: UInt16.self, capacity: max(rows * columns, 1))
        round(from: source)
        if backend == .oneDNN { packed = pack() }
    }

    /// Re-rounds (and re-packs) from `source` (same shape): what a trained matrix needs after each optimizer step.
    public func update(from source: UnsafePointer<Float>) {
        round(from: source)
        if let packed, !(packed.forward.repack(from: storage) && packed.backward.repack(from: storage)) {
            self.packed = nil  // the portable path stays correct
        }
    }

    private func round(from source: UnsafePointer<Float>) {
        let n = count
        Parallel.forEachBlock(n, size: 1 << 18, work: n * 4) { range in
            BFloat16.narrow(storage + range.lowerBound, source + range.lowerBound, range.count)
        }
    }

    /// Forward B = W as [in, out]; backward B = Wᵀ as [out, in]. Input-major storage is [in, out], output-major
    /// [out, in].
    private func pack() -> (forward: OneDNNPackedWeights, backward: OneDNNPackedWeights)? {
        let (inFeatures, outFeatures) = layout == .inputMajor ? (rows, columns) : (columns, rows)
        guard
            let forward = OneDNNPackedWeights(
                source: storage, type: .bf16, depth: inFeatures, columns: outFeatures, ld: columns,
                transposed: layout == .outputMajor),
            let backward = OneDNNPackedWeights(
                source: storage, type: .bf16, depth: outFeatures, columns: inFeatures, ld: columns,
                transposed: layout == .inputMajor)
        else { return nil }
        return (forward, backward)
    }

    deinit { storage.deallocate() }
}
