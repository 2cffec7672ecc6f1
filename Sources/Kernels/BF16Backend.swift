#if canImport(Glibc)
    import Glibc
#endif

/// Which bf16 matrix products this machine runs, decided at run time from /proc/cpuinfo (a binary built on one
/// machine of this kind runs on others: some have avx512_bf16, maybe AMX, some only AVX2).
public enum BF16Backend: String, Sendable {
    /// oneDNN's bf16 kernels (avx512_bf16 or amx_bf16): bf16 × bf16 products in hardware, f32 sums.
    case oneDNN
    /// The portable path: bf16 values widened to f32 (exact) and the f32 kernels, the same numerics — correct
    /// on any x86-64, but no faster than fp32 for the large products (decoding still reads half the bytes).
    case portable

    /// The CPU's bf16 flags (`avx512_bf16`, `amx_bf16`) that it has.
    public static let cpuFlags: [String] = {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                free(line)
                let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }))
                return ["avx512_bf16", "amx_bf16"].filter { flags.contains(Substring($0)) }
            }
        }
        free(line)
        return []
    }()

    /// The path bf16 products take here. oneDNN is not linked into this build yet, so every machine runs the
    /// portable path; `note` says whether the hardware could do better.
    public static let current: BF16Backend = .portable

    /// The one line a `--precision bf16` run prints.
    public static var note: String {
        if cpuFlags.isEmpty {
            return "bf16: this CPU has no avx512_bf16 or amx_bf16; the portable path runs (bf16-rounded inputs "
                + "widened to f32, f32 sums): autocast's numerics, correct but not faster than fp32 except in decoding"
        }
        return "bf16: this CPU has \(cpuFlags.joined(separator: ", ")), but this build has no oneDNN bf16 kernels "
            + "yet; the portable path runs (same numerics, not faster than fp32 except in decoding)"
    }
}
