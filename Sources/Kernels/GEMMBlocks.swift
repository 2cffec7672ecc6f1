import CBLAS

/// Single-precision matrix products whose bits do not depend on the thread count — the only BLAS calls in
/// the package.
///
/// OpenBLAS's value for an output element depends on how the product is cut: its threaded driver splits the
/// depth K at other points than the single-threaded one, and even single-threaded calls give other bits for
/// the same element when the output is cut into other tiles (measured with OpenBLAS 0.3.21 on AVX2 at GPT-2's
/// shapes: 1 against 2 OpenBLAS threads changed 3–76% of the output elements, one whole single-threaded call
/// against the same product in blocks 5–32%). So BLAS runs single-threaded (`openblas_set_num_threads(1)`, set
/// once before the first call), and each product is cut into output blocks of at most `maxRows` × `maxColumns`
/// whose boundaries depend on M, N and K alone. Each block is one sgemm call over the whole depth K (never
/// split), and the blocks run on `Parallel`'s threads. Which thread runs a block changes nothing.
///
/// Speed: with 2 threads this matched or beat OpenBLAS's own 2-thread GEMMs on GPT-2's shapes (see
/// eval/BENCHMARKS.md, "Determinism"): each block packs its slice of A and B itself, which costs a few
/// percent of extra copying, and the threads never wait for one another inside a call.
enum GEMMBlocks {
    /// Output rows per block at most (M is cut into ⌈M / maxRows⌉ near-equal blocks).
    static let maxRows = 512
    /// Output columns per block at most (N is cut likewise).
    static let maxColumns = 512
    /// Block boundaries fall on multiples of this (OpenBLAS's register tiles on AVX2/AVX-512 are 4–16 wide).
    static let alignment = 16
    /// A product of at least this many floating-point operations that fits one block is cut in two along its
    /// longer side, so that a small model's products (the bundled tiny model's are ~450 × 384 × 128) still
    /// use two threads.
    static let halvingWork = 1 << 22

    /// BLAS single-threaded, once per process, before any product (only this type calls BLAS).
    static let singleThreadedBLAS: Void = openblas_set_num_threads(1)

    /// C[M, N] = op(A)[M, K] · op(B)[K, N] + beta · C, row-major; `transA`/`transB` say whether A is stored
    /// `[K, M]` and B `[N, K]`. beta = 0 overwrites C without reading it.
    static func sgemm(
        c: UnsafeMutablePointer<Float>, ldc: Int, a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool, rows m: Int, columns n: Int, depth k: Int, beta: Float
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        _ = singleThreadedBLAS
        forEachBlock(m, n, k) { rows, columns in
            // The block's corner in each operand: A's rows are its columns when stored transposed, likewise B.
            let blockA = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
            let blockB = transB ? b + columns.lowerBound * ldb : b + columns.lowerBound
            cblas_sgemm(
                CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(rows.count), Int32(columns.count), Int32(k), 1, blockA, Int32(lda), blockB, Int32(ldb), beta,
                c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
        }
    }

    /// Calls `body(rows, columns)` for every non-empty output block of an M × N × K product, on `Parallel`'s
    /// threads; the blocks depend on M, N and K alone.
    static func forEachBlock(_ m: Int, _ n: Int, _ k: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
        let (rowBlocks, columnBlocks) = grid(m, n, k)
        Parallel.forEach(rowBlocks * columnBlocks, work: 2 * m * n * k) { block in
            let (r, col) = (block / columnBlocks, block % columnBlocks)
            let rows = boundary(m, parts: rowBlocks, r)..<boundary(m, parts: rowBlocks, r + 1)
            let columns = boundary(n, parts: columnBlocks, col)..<boundary(n, parts: columnBlocks, col + 1)
            guard !rows.isEmpty, !columns.isEmpty else { return }
            body(rows, columns)
        }
    }

    /// Row and column blocks of an M × N × K product (from the shapes alone).
    static func grid(_ m: Int, _ n: Int, _ k: Int) -> (rows: Int, columns: Int) {
        var rowBlocks = (m + maxRows - 1) / maxRows
        var columnBlocks = (n + maxColumns - 1) / maxColumns
        if rowBlocks * columnBlocks == 1, 2 * m * n * k >= halvingWork {
            if n >= m, n >= 2 * alignment {
                columnBlocks = 2
            } else if m >= 2 * alignment {
                rowBlocks = 2
            }
        }
        return (rowBlocks, columnBlocks)
    }

    /// The start of block `i` of `parts` near-equal blocks of `0..<total` (`total` for i = parts), on a
    /// multiple of `alignment` except at the end.
    static func boundary(_ total: Int, parts: Int, _ i: Int) -> Int {
        if i >= parts { return total }
        let even = total * i / parts
        return min(total, (even + alignment / 2) / alignment * alignment)
    }
}
