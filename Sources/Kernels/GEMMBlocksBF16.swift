import CBLAS

extension GEMMBlocks {
    /// `sgemm` with B given in bfloat16: C[M, N] = op(A) · op(B) + beta · C, where B's values are widened to
    /// f32 exactly. The portable bf16 path (no bf16 instructions needed): A holds values already rounded to
    /// bf16, so every product is exact in f32 and only the sums round — bf16 inputs, f32 accumulation.
    ///
    /// The blocks are `sgemm`'s (same cut, same single-threaded call over the whole depth); each block widens its
    /// slice of B (at most `maxColumns` × K) into its own buffer first. So the result is bit for bit `sgemm` on
    /// the widened B, on any number of threads.
    static func sgemm(
        c: UnsafeMutablePointer<Float>, ldc: Int, a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b16 b: UnsafePointer<UInt16>, ldb: Int, transB: Bool, rows m: Int, columns n: Int, depth k: Int, beta: Float
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        _ = singleThreadedBLAS
        forEachBlock(m, n, k) { rows, columns in
            let blockA = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
            // B's slice for these columns, widened: [columns, K] when B is stored transposed, else [K, columns].
            let wide = UnsafeMutablePointer<Float>.allocate(capacity: columns.count * k)
            defer { wide.deallocate() }
            let widenedLD: Int
            if transB {
                for j in 0..<columns.count {
                    BFloat16.widen(wide + j * k, b + (columns.lowerBound + j) * ldb, k)
                }
                widenedLD = k
            } else {
                for i in 0..<k {
                    BFloat16.widen(wide + i * columns.count, b + i * ldb + columns.lowerBound, columns.count)
                }
                widenedLD = columns.count
            }
            cblas_sgemm(
                CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(rows.count), Int32(columns.count), Int32(k), 1, blockA, Int32(lda), wide, Int32(widenedLD), beta,
                c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
        }
    }
}
