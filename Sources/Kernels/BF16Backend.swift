import CDNNL

#if canImport(Glibc)
    import Glibc
#endif

/// Which bf16 matrix products this machine runs, decided at run time (a binary built on one machine of this
/// kind runs on others: some have avx512_bf16, maybe AMX, some only AVX2).
public enum BF16Backend: String, Sendable {
    /// oneDNN's bf16 kernels (avx512_bf16 or amx_bf16): bf16 × bf16 products in hardware, f32 sums, weights
    /// packed once (`OneDNNPackedWeights`). Used for products of more than `SmallBatchLinear.maxRows` rows.
    case oneDNN
    /// The portable path: bf16 values widened to f32 (exact) and the f32 kernels, the same numerics — correct
    /// on any x86-64, but no faster than fp32: training-sized products widen their weight blocks at every call
    /// (a GPT-2-small train step ran at 0.69× fp32 on AVX2), and decoding, which reads half the bytes, measured
    /// 0.96× fp32 at batch 1 on AVX2 (eval/BENCHMARKS.md).
    case portable

    /// The CPU's bf16 flags (`avx512_bf16`, `amx_bf16`) that it has.
    public static let cpuFlags: [String] = {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("flags") { return bf16Flags(inFlagsLine: text) }
        }
        return []
    }()

    /// The bf16 flags named in one `flags : …` line of /proc/cpuinfo.
    public static func bf16Flags(inFlagsLine line: String) -> [String] {
        let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }))
        return ["avx512_bf16", "amx_bf16"].filter { flags.contains(Substring($0)) }
    }

    /// The kernel oneDNN picks for a bf16 × bf16 → f32 matmul here (`brg:avx512_core_bf16`, …), or nil when it
    /// makes none. On CPUs without bf16 instructions it may offer a reference kernel (`ref:any`), far slower
    /// than the portable path.
    public static let oneDNNKernel: String? = {
        guard let engine = OneDNNEngine.shared else { return nil }
        var any = dnnl_memory_desc_t()
        guard lntune_dnnl_matrix(&any, 64, 64, dnnl_bf16, 0, 0, 1) == dnnl_success else { return nil }
        return OneDNNMatmul(
            engine: engine, rows: 64, depth: 64, columns: 64, type: dnnl_bf16, lda: 64, weights: &any, ldc: 64,
            accumulate: false)?.implementation
    }()

    /// `LNTUNE_BF16_BACKEND=portable` keeps the portable path on bf16 hardware (to compare the two).
    static let forcedPortable: Bool = getenv("LNTUNE_BF16_BACKEND").map { String(cString: $0) == "portable" } ?? false

    /// The path bf16 products take here: oneDNN when the CPU has a bf16 flag and oneDNN offers a real (non-
    /// reference) kernel for it, else portable.
    public static let current: BF16Backend = {
        guard !cpuFlags.isEmpty, !forcedPortable, let kernel = oneDNNKernel, !kernel.hasPrefix("ref") else {
            return .portable
        }
        return .oneDNN
    }()

    /// The one line a `--precision bf16` run prints.
    public static var note: String {
        switch current {
        case .oneDNN:
            return "bf16: this CPU has \(cpuFlags.joined(separator: ", ")); oneDNN's \(oneDNNKernel ?? "?") runs the "
                + "large products (weights packed once), the few-row products widen bf16 weights in registers"
        case .portable where cpuFlags.isEmpty:
            return "bf16: this CPU has no avx512_bf16 or amx_bf16; the portable path runs (bf16-rounded inputs "
                + "widened to f32, f32 sums): autocast's numerics, correct but not faster than fp32 (training-sized "
                + "products widen the weights at every call and are slower)"
        case .portable:
            return "bf16: this CPU has \(cpuFlags.joined(separator: ", ")), but "
                + (forcedPortable
                    ? "LNTUNE_BF16_BACKEND=portable is set"
                    : "oneDNN offers no bf16 kernel here (\(oneDNNKernel ?? "none"))")
                + "; the portable path runs (same numerics, not faster than fp32)"
        }
    }
}
