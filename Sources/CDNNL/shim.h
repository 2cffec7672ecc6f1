// oneDNN's C API (Debian `libdnnl-dev`, oneDNN 2.x) and the few helpers LNTune's Kernels call. The helpers
// take plain integers and pointers, so Swift never builds oneDNN's fixed-size dims arrays or exec-arg lists.
#include <oneapi/dnnl/dnnl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

// Debian's libdnnl runs on OpenMP (libgomp). Each product LNTune hands it is one fixed block that must run on
// the calling thread alone (LNTune's own threads run the blocks), so the calling thread's OpenMP team is set
// to one thread. omp_set_num_threads is looked up in the process (libdnnl loaded libgomp) rather than linked,
// so no libgomp development files are needed. The setting is per thread; it is made before every call.
static void (*lntune_omp_set_num_threads)(int) = 0;
static pthread_once_t lntune_omp_lookup = PTHREAD_ONCE_INIT;
static inline void lntune_look_up_omp(void) {
    lntune_omp_set_num_threads = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_num_threads");
}
static inline void lntune_dnnl_single_thread(void) {
    pthread_once(&lntune_omp_lookup, lntune_look_up_omp);
    if (lntune_omp_set_num_threads) lntune_omp_set_num_threads(1);
}

// A row-major [rows, cols] matrix with the given strides (elements), or in `format_tag::any` when any != 0.
static inline dnnl_status_t lntune_dnnl_matrix(dnnl_memory_desc_t *md, int64_t rows, int64_t cols,
        dnnl_data_type_t type, int64_t row_stride, int64_t col_stride, int any) {
    dnnl_dims_t dims = {rows, cols};
    if (any) return dnnl_memory_desc_init_by_tag(md, 2, dims, type, dnnl_format_tag_any);
    dnnl_dims_t strides = {row_stride, col_stride};
    return dnnl_memory_desc_init_by_strides(md, 2, dims, type, strides);
}

// dst[m, n] (f32, row stride ldc) = src[m, k] (type, row stride lda) · weights (weights_md, [k, n]), plus the
// previous dst when accumulate. The scratchpad is the caller's (several threads run one primitive at once).
static inline dnnl_status_t lntune_dnnl_matmul_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, int64_t m,
        int64_t k, int64_t n, dnnl_data_type_t src_type, int64_t lda, const dnnl_memory_desc_t *weights_md,
        int64_t ldc, int accumulate) {
    dnnl_memory_desc_t src_md, dst_md;
    dnnl_status_t s = lntune_dnnl_matrix(&src_md, m, k, src_type, lda, 1, 0);
    if (s != dnnl_success) return s;
    s = lntune_dnnl_matrix(&dst_md, m, n, dnnl_f32, ldc, 1, 0);
    if (s != dnnl_success) return s;
    dnnl_matmul_desc_t desc;
    s = dnnl_matmul_desc_init(&desc, &src_md, weights_md, NULL, &dst_md);
    if (s != dnnl_success) return s;
    dnnl_primitive_attr_t attr;
    s = dnnl_primitive_attr_create(&attr);
    if (s != dnnl_success) return s;
    s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    dnnl_post_ops_t ops = NULL;
    if (s == dnnl_success && accumulate) {
        s = dnnl_post_ops_create(&ops);
        if (s == dnnl_success) s = dnnl_post_ops_append_sum(ops, 1.0f);
        if (s == dnnl_success) s = dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    if (s == dnnl_success) s = dnnl_primitive_desc_create(pd, &desc, attr, engine, NULL);
    if (ops) dnnl_post_ops_destroy(ops);
    dnnl_primitive_attr_destroy(attr);
    return s;
}

// The implementation oneDNN chose ("brg:avx512_core_bf16", "gemm:jit", "ref:any", …).
static inline const char *lntune_dnnl_impl_name(const_dnnl_primitive_desc_t pd) {
    const char *name = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name) != dnnl_success) return "";
    return name ? name : "";
}

static inline const dnnl_memory_desc_t *lntune_dnnl_weights_md(const_dnnl_primitive_desc_t pd) {
    return dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
}

static inline size_t lntune_dnnl_scratchpad_size(const_dnnl_primitive_desc_t pd) {
    const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    return md ? dnnl_memory_desc_get_size(md) : 0;
}

static inline size_t lntune_dnnl_size(const dnnl_memory_desc_t *md) { return dnnl_memory_desc_get_size(md); }

// Runs `primitive` with one memory per (arg, md, handle) triple, on the calling thread alone.
static inline dnnl_status_t lntune_dnnl_execute(dnnl_primitive_t primitive, dnnl_engine_t engine, int nargs,
        const int *args, const dnnl_memory_desc_t *const *mds, void *const *handles) {
    lntune_dnnl_single_thread();
    dnnl_exec_arg_t exec[8];
    if (nargs > 8) return dnnl_invalid_arguments;
    dnnl_status_t s = dnnl_success;
    int made = 0;
    for (; made < nargs && s == dnnl_success; made++) {
        exec[made].arg = args[made];
        s = dnnl_memory_create(&exec[made].memory, mds[made], engine, handles[made]);
        if (s != dnnl_success) break;
    }
    dnnl_stream_t stream = NULL;
    if (s == dnnl_success) s = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags);
    if (s == dnnl_success) s = dnnl_primitive_execute(primitive, stream, nargs, exec);
    if (s == dnnl_success) s = dnnl_stream_wait(stream);
    if (stream) dnnl_stream_destroy(stream);
    for (int i = 0; i < made; i++) dnnl_memory_destroy(exec[i].memory);
    return s;
}

// The matmul's arguments in the order lntune_dnnl_run_matmul passes them.
static inline dnnl_status_t lntune_dnnl_run_matmul(dnnl_primitive_t primitive, const_dnnl_primitive_desc_t pd,
        dnnl_engine_t engine, void *src, void *weights, void *dst, void *scratchpad) {
    const int args[4] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_SCRATCHPAD};
    const dnnl_memory_desc_t *mds[4] = {
        dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
        dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0),
        dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
        dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0),
    };
    void *handles[4] = {src, weights, dst, scratchpad};
    return lntune_dnnl_execute(primitive, engine, scratchpad ? 4 : 3, args, mds, handles);
}

// Copies `from` (described by from_md) into `to` in to_md's layout (and type): the one-time weight packing.
static inline dnnl_status_t lntune_dnnl_reorder(dnnl_engine_t engine, const dnnl_memory_desc_t *from_md,
        void *from, const dnnl_memory_desc_t *to_md, void *to) {
    dnnl_primitive_desc_t pd;
    dnnl_status_t s = dnnl_reorder_primitive_desc_create(&pd, from_md, engine, to_md, engine, NULL);
    if (s != dnnl_success) return s;
    dnnl_primitive_t reorder;
    s = dnnl_primitive_create(&reorder, pd);
    if (s == dnnl_success) {
        const int args[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
        const dnnl_memory_desc_t *mds[2] = {from_md, to_md};
        void *handles[2] = {from, to};
        s = lntune_dnnl_execute(reorder, engine, 2, args, mds, handles);
        dnnl_primitive_destroy(reorder);
    }
    dnnl_primitive_desc_destroy(pd);
    return s;
}
