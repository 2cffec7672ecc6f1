import CDNNL

/// A weight matrix packed once into oneDNN's blocked layout (`format_tag::any` and one reorder), as the right
/// operand B[K, N] of products C[M, N] (f32) (+)= A[M, K] · B, with A and B both f32 or both bf16.
///
/// Determinism: as `GEMMBlocks`, the output is cut into fixed blocks whose boundaries depend on M and N alone
/// (columns at most `GEMMBlocks.maxColumns` wide, fixed when the weights are packed; rows at most
/// `GEMMBlocks.maxRows`), each block is one oneDNN call over the whole depth K on the calling thread alone
/// (its OpenMP team is one thread, see CDNNL's `lntune_dnnl_single_thread`), and the blocks run on
/// `Parallel`'s threads. So oneDNN's OpenMP threads never compete with LNTune's (or with OpenBLAS's, which is
/// single-threaded too), and which thread runs a block changes no bit.
public final class OneDNNPackedWeights: @unchecked Sendable {
    public enum ElementType: Sendable {
        case f32, bf16
        var dnnl: dnnl_data_type_t { self == .f32 ? dnnl_f32 : dnnl_bf16 }
        var bytes: Int { self == .f32 ? 4 : 2 }
    }

    public let type: ElementType
    /// K: rows of B.
    public let depth: Int
    /// N: columns of B.
    public let columns: Int
    /// oneDNN's kernel for the packing shape (`brg:avx512_core_bf16`, `gemm:jit`, …), for reports.
    public private(set) var implementation = ""
    private let engine: OneDNNEngine
    /// Per column block: its first column, the packed layout and the packed values.
    private var blocks:
        [(start: Int, width: Int, layout: UnsafeMutablePointer<dnnl_memory_desc_t>, values: UnsafeMutableRawPointer)] =
            []
    private let transposed: Bool
    private let sourceStride: Int
    private var primitives: [PrimitiveKey: OneDNNMatmul] = [:]
    private let lock = OneDNNLock()

    private struct PrimitiveKey: Hashable {
        var rows: Int, block: Int, lda: Int, ldc: Int, accumulate: Bool
    }

    /// Packs B from `source`: B[i, j] = source[i * ld + j], or source[j * ld + i] when `transposed` (B is then
    /// stored [N, K], e.g. an output-major weight, or an input-major weight in a backward product). `source`
    /// holds Float for f32 and UInt16 bf16 bits for bf16. Nil when oneDNN cannot make the product here.
    public init?(
        source: UnsafeRawPointer, type: ElementType, depth k: Int, columns n: Int, ld: Int, transposed: Bool
    ) {
        guard let engine = OneDNNEngine.shared, k > 0, n > 0 else { return nil }
        self.engine = engine
        self.type = type
        self.depth = k
        self.columns = n
        self.transposed = transposed
        self.sourceStride = ld
        let columnBlocks = (n + GEMMBlocks.maxColumns - 1) / GEMMBlocks.maxColumns
        for cb in 0..<columnBlocks {
            let start = GEMMBlocks.boundary(n, parts: columnBlocks, cb)
            let width = GEMMBlocks.boundary(n, parts: columnBlocks, cb + 1) - start
            var any = dnnl_memory_desc_t()
            guard lntune_dnnl_matrix(&any, Int64(k), Int64(width), type.dnnl, 0, 0, 1) == dnnl_success,
                let probe = OneDNNMatmul(
                    engine: engine, rows: GEMMBlocks.maxRows, depth: k, columns: width, type: type.dnnl, lda: k,
                    weights: &any, ldc: width, accumulate: false),
                let chosen = lntune_dnnl_weights_md(probe.descriptor)
            else { return nil }  // deinit frees the blocks packed so far
            implementation = probe.implementation
            let layout = UnsafeMutablePointer<dnnl_memory_desc_t>.allocate(capacity: 1)
            layout.initialize(to: chosen.pointee)
            let values = UnsafeMutableRawPointer.allocate(byteCount: max(lntune_dnnl_size(layout), 1), alignment: 64)
            blocks.append((start, width, layout, values))
        }
        guard repack(from: source) else { return nil }
    }

    /// Packs new values of the same shape and layout (a trained weight after an optimizer step).
    @discardableResult
    public func repack(from source: UnsafeRawPointer) -> Bool {
        let (k, ld) = (Int64(depth), Int64(sourceStride))
        for block in blocks {
            var plain = dnnl_memory_desc_t()
            let (rowStride, columnStride) = transposed ? (1, ld) : (ld, 1)
            let first = transposed ? block.start * sourceStride : block.start
            guard
                lntune_dnnl_matrix(&plain, k, Int64(block.width), type.dnnl, rowStride, columnStride, 0)
                    == dnnl_success,
                lntune_dnnl_reorder(
                    engine.handle, &plain, UnsafeMutableRawPointer(mutating: source + first * type.bytes), block.layout,
                    block.values) == dnnl_success
            else { return false }
        }
        return true
    }

    /// C[M, N] = A[M, K] · B (+ C when `accumulate`), A row-major with row stride `lda` (Float for f32,
    /// UInt16 bf16 bits for bf16), C with row stride `ldc`. False (C then partly written: the caller redoes the
    /// whole product on another path only when `accumulate` is false) when oneDNN fails.
    public func multiply(
        c: UnsafeMutablePointer<Float>, ldc: Int, a: UnsafeRawPointer, lda: Int, rows m: Int, accumulate: Bool
    ) -> Bool {
        guard m > 0 else { return true }
        var rowBlocks = (m + GEMMBlocks.maxRows - 1) / GEMMBlocks.maxRows
        if rowBlocks * blocks.count == 1, m >= 2 * GEMMBlocks.alignment { rowBlocks = 2 }
        // The primitives first, on this thread (creating one costs far more than a cache look-up).
        var work: [(rows: Range<Int>, block: Int, matmul: OneDNNMatmul)] = []
        for r in 0..<rowBlocks {
            let rows = GEMMBlocks.boundary(m, parts: rowBlocks, r)..<GEMMBlocks.boundary(m, parts: rowBlocks, r + 1)
            guard !rows.isEmpty else { continue }
            for b in blocks.indices {
                guard let matmul = primitive(rows: rows.count, block: b, lda: lda, ldc: ldc, accumulate: accumulate)
                else { return false }
                work.append((rows, b, matmul))
            }
        }
        let failures = UnsafeMutablePointer<Bool>.allocate(capacity: work.count)
        defer { failures.deallocate() }
        failures.initialize(repeating: false, count: work.count)
        Parallel.forEach(work.count, work: 2 * m * columns * depth) { i in
            let (rows, b, matmul) = work[i]
            let block = blocks[b]
            failures[i] = !matmul.run(
                engine: engine, src: a + rows.lowerBound * lda * type.bytes, weights: block.values,
                dst: c + rows.lowerBound * ldc + block.start)
        }
        return !(0..<work.count).contains { failures[$0] }
    }

    private func primitive(rows: Int, block: Int, lda: Int, ldc: Int, accumulate: Bool) -> OneDNNMatmul? {
        let key = PrimitiveKey(rows: rows, block: block, lda: lda, ldc: ldc, accumulate: accumulate)
        return lock.locked {
            if let made = primitives[key] { return made }
            guard
                let made = OneDNNMatmul(
                    engine: engine, rows: rows, depth: depth, columns: blocks[block].width, type: type.dnnl, lda: lda,
                    weights: blocks[block].layout, ldc: ldc, accumulate: accumulate)
            else { return nil }
            primitives[key] = made
            return made
        }
    }

    private func release() {
        for block in blocks {
            block.layout.deallocate()
            block.values.deallocate()
        }
        blocks = []
    }

    deinit { release() }
}
