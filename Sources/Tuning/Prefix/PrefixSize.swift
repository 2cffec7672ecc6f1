import Foundation
import GPT2

extension PrefixTuningOptions {
    /// Bytes the tuner holds per prefix-encoder parameter: the value, its gradient and AdamW's two moments.
    static let bytesPerParameter = 4 * MemoryLayout<Float>.size

    /// `trainableParameterCount`, or nil when it does not fit an `Int` (`--prefix-hidden 9223372036854775807`).
    func checkedParameterCount(config: GPT2Config) -> Int? {
        let d = config.nEmbd, w = Self.rowWidth(config: config), p = max(virtualTokens, 0)
        switch projection {
        case .direct:
            return CheckedSize.product(p, w)
        case let .mlp(h):
            return CheckedSize.sum(
                CheckedSize.product(p, d), CheckedSize.product(d, h), h, CheckedSize.product(h, w), w)
        }
    }

    /// Refuses a prefix encoder whose parameters, gradients and optimizer state would not fit in this machine's
    /// memory: allocating it would trap on the overflowing size or get the process killed, instead of saying why.
    func validateSize(config: GPT2Config) throws(TuningError) {
        guard let memory = MemoryBudget.physicalBytes else { return }
        let need = CheckedSize.product(checkedParameterCount(config: config), Self.bytesPerParameter)
        if let need, need <= memory { return }
        let (name, value): (String, Int) =
            switch projection {
            case .direct: ("prefix-length", virtualTokens)
            case let .mlp(h): ("prefix-hidden", h)
            }
        let gigabytes = { (bytes: Int) in String(format: "%.1f GB", Double(bytes) / 1e9) }
        throw .invalidOption(
            name: name, value: String(value),
            hint: "the prefix encoder would need " + (need.map(gigabytes) ?? "more bytes than can be counted")
                + " for its values, gradients and optimizer state; this machine has \(gigabytes(memory))")
    }
}
