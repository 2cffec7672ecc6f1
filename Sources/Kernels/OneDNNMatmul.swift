import CDNNL

#if canImport(Glibc)
    import Glibc
#endif

/// oneDNN's CPU engine, made once per process; nil when oneDNN cannot make one (then every product stays on
/// the OpenBLAS and portable paths).
final class OneDNNEngine: @unchecked Sendable {
    let handle: dnnl_engine_t

    static let shared: OneDNNEngine? = {
        var engine: dnnl_engine_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine else { return nil }
        return OneDNNEngine(handle: engine)
    }()

    private init(handle: dnnl_engine_t) { self.handle = handle }
}

/// One oneDNN matmul primitive: dst[m, n] (f32) = src[m, k] · weights[k, n] (+ dst when `accumulate`), src and
/// weights both f32 or both bf16, weights in the layout of `weights` (a packed block's descriptor).
/// Primitives run on the calling thread alone (`lntune_dnnl_single_thread`) with their own scratchpad per
/// call, so several threads may run one primitive at once on different blocks.
final class OneDNNMatmul: @unchecked Sendable {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t
    let scratchpadBytes: Int
    /// oneDNN's name of the kernel it chose (`brg:avx512_core_bf16`, `gemm:jit`, `ref:any`, …).
    let implementation: String

    init?(
        engine: OneDNNEngine, rows m: Int, depth k: Int, columns n: Int, type: dnnl_data_type_t, lda: Int,
        weights: UnsafePointer<dnnl_memory_desc_t>, ldc: Int, accumulate: Bool
    ) {
        var pd: dnnl_primitive_desc_t?
        guard
            lntune_dnnl_matmul_pd(
                &pd, engine.handle, Int64(m), Int64(k), Int64(n), type, Int64(lda), weights, Int64(ldc),
                accumulate ? 1 : 0) == dnnl_success, let pd
        else { return nil }
        var made: dnnl_primitive_t?
        guard dnnl_primitive_create(&made, pd) == dnnl_success, let made else {
            dnnl_primitive_desc_destroy(pd)
            return nil
        }
        descriptor = pd
        primitive = made
        scratchpadBytes = lntune_dnnl_scratchpad_size(pd)
        implementation = String(cString: lntune_dnnl_impl_name(pd))
    }

    /// Runs the product on the calling thread; false when oneDNN reports a failure.
    func run(
        engine: OneDNNEngine, src: UnsafeRawPointer, weights: UnsafeRawPointer, dst: UnsafeMutablePointer<Float>
    ) -> Bool {
        let scratchpad =
            scratchpadBytes > 0 ? UnsafeMutableRawPointer.allocate(byteCount: scratchpadBytes, alignment: 64) : nil
        defer { scratchpad?.deallocate() }
        return lntune_dnnl_run_matmul(
            primitive, descriptor, engine.handle, UnsafeMutableRawPointer(mutating: src),
            UnsafeMutableRawPointer(mutating: weights), dst, scratchpad) == dnnl_success
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }
}

/// A pthread mutex (the primitive cache is filled from whichever thread first needs a shape).
final class OneDNNLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(mutex, nil) }
    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
