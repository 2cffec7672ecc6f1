import Foundation

/// The processor a benchmark ran on: figures from an AVX2-only machine and from one with AVX-512 and BF16 are
/// not comparable, so every `lntune bench` command prints this once, first.
public struct CPUInfo: Sendable, Equatable, Encodable {
    /// The instruction-set features that change which kernels are fast (`amx` stands for `amx_tile`, the
    /// flag every AMX machine has), in this order.
    public static let relevantFeatures = ["avx2", "avx512f", "avx512_bf16", "amx"]

    /// `model name` of the first processor, or `unknown` where /proc/cpuinfo is absent (macOS).
    public var model: String
    /// The `relevantFeatures` this processor has.
    public var features: [String]

    enum CodingKeys: String, CodingKey {
        case model = "cpu_model"
        case features = "cpu_flags"
    }

    public init(model: String, features: [String]) {
        self.model = model
        self.features = features
    }

    /// Reads the text of /proc/cpuinfo: the first `model name` and the first `flags` line (every processor of a
    /// machine lists the same ones).
    public init(procCPUInfo text: String) {
        var model = "unknown"
        var flags: Set<Substring> = []
        var sawModel = false
        var sawFlags = false
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if key == "model name", !sawModel {
                (model, sawModel) = (value.isEmpty ? "unknown" : value, true)
            } else if key == "flags", !sawFlags {
                (flags, sawFlags) = (Set(value.split(separator: " ")), true)
            }
            if sawModel && sawFlags { break }
        }
        self.model = model
        features = Self.relevantFeatures.filter { flags.contains(Substring($0 == "amx" ? "amx_tile" : $0)) }
    }

    /// This machine's processor.
    public static func current() -> CPUInfo {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUInfo(model: "unknown", features: [])
        }
        return CPUInfo(procCPUInfo: text)
    }

    /// One line that opens a benchmark's output: `CPU: … (avx2; without avx512f, avx512_bf16, amx)` as text, or a
    /// JSON object with `cpu_model` and `cpu_flags`.
    public func header(json: Bool) -> String {
        if json { return JSONLine.encode(self) }
        let missing = Self.relevantFeatures.filter { !features.contains($0) }
        var parts: [String] = []
        if !features.isEmpty { parts.append(features.joined(separator: ", ")) }
        if !missing.isEmpty { parts.append("without " + missing.joined(separator: ", ")) }
        return "CPU: \(model) (\(parts.joined(separator: "; ")))"
    }
}
