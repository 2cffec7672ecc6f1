import Benchmarks
import Foundation
import Testing

/// The CPU line every bench command opens with: the first processor's model name and which of AVX2, AVX-512F,
/// AVX-512 BF16 and AMX its flags list.
struct CPUInfoTests {
    static let avx512Machine = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        model name\t: Intel(R) Xeon(R) Platinum 8480+
        flags\t\t: fpu sse2 avx2 avx512f avx512bw avx512_bf16 amx_bf16 amx_tile amx_int8

        processor\t: 1
        model name\t: Intel(R) Xeon(R) Platinum 8480+
        flags\t\t: fpu sse2 avx2 avx512f avx512bw avx512_bf16 amx_bf16 amx_tile amx_int8
        """

    @Test func readsModelAndRelevantFlags() {
        let cpu = CPUInfo(procCPUInfo: Self.avx512Machine)
        #expect(cpu.model == "Intel(R) Xeon(R) Platinum 8480+")
        #expect(cpu.features == ["avx2", "avx512f", "avx512_bf16", "amx"])
        #expect(cpu.header(json: false) == "CPU: Intel(R) Xeon(R) Platinum 8480+ (avx2, avx512f, avx512_bf16, amx)")
    }

    @Test func namesTheMissingFeatures() {
        let cpu = CPUInfo(procCPUInfo: "model name\t: AMD EPYC\nflags\t\t: fpu sse2 fma avx2\n")
        #expect(cpu.features == ["avx2"])
        #expect(cpu.header(json: false) == "CPU: AMD EPYC (avx2; without avx512f, avx512_bf16, amx)")
    }

    @Test func unknownWithoutCPUInfo() {
        let cpu = CPUInfo(procCPUInfo: "")
        #expect(cpu == CPUInfo(model: "unknown", features: []))
    }

    @Test func jsonHeaderHasModelAndFlags() throws {
        let line = CPUInfo(procCPUInfo: "model name : AMD EPYC\nflags : avx2\n").header(json: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["cpu_model"] as? String == "AMD EPYC")
        #expect(object["cpu_flags"] as? [String] == ["avx2"])
        #expect(!line.contains("\n"))
    }

    @Test func thisMachineHasAModelName() {
        #expect(!CPUInfo.current().model.isEmpty)
    }
}
