import Foundation

/// Everything that can go wrong loading or running a GPT-2, each case carrying the file or tensor it is about.
public enum GPT2Error: Error, Equatable, CustomStringConvertible {
    case unsupportedConfig(file: String, key: String, value: String, hint: String)
    case invalidConfig(file: String, reason: String)
    /// A well-typed `config.json` value outside what a GPT-2 can have (zero, negative, absurdly large, not
    /// dividing another size).
    case invalidConfigValue(file: String, key: String, value: String, reason: String)
    /// The file could not be opened or read at all (missing, a folder, no permission).
    case fileUnreadable(file: String, reason: String)
    /// The safetensors container itself is broken: header length, header JSON, metadata.
    case invalidSafeTensors(file: String, reason: String)
    /// One tensor's header entry is inconsistent (offsets, size, overlap) or a read does not fit it.
    case invalidTensor(file: String, tensor: String, reason: String)
    case unsupportedDType(file: String, tensor: String, dtype: String)
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
    case missingTensor(file: String, tensor: String)
    case unexpectedTensor(file: String, tensor: String)
    case duplicateTensor(file: String, tensor: String)
    /// The checkpoint carries an `lm_head.weight` that differs from `wte`; LNTune always ties them.
    case untiedLMHead(file: String, index: Int)
    /// A tensor holds NaN or ±infinity (`value`) at flat `index`: a corrupt file or a run that diverged.
    case nonFiniteTensor(file: String, tensor: String, index: Int, value: String)
    /// Loading needs more memory than the machine has (`MemoryBudget`); the figures are in bytes.
    case modelTooLarge(directory: String, parameters: Int, neededBytes: Int, availableBytes: Int)
    /// The system refused a buffer of `bytes` bytes.
    case allocationFailed(file: String, bytes: Int)
    /// The folder holds no weights LNTune can read.
    case missingWeights(directory: String, hint: String)
    case writeFailed(file: String, reason: String)
    /// A model call got an argument it cannot run on (token id, position, shape, cache capacity).
    case invalidInput(argument: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedConfig(file, key, value, hint):
            return "\(file): unsupported \(key) = \(value) (\(hint))"
        case let .invalidConfig(file, reason):
            return "\(file): cannot read config: \(reason)"
        case let .invalidConfigValue(file, key, value, reason):
            return "\(file): invalid \(key) = \(value): \(reason)"
        case let .fileUnreadable(file, reason):
            return "\(file): cannot read file: \(reason)"
        case let .invalidSafeTensors(file, reason):
            return "\(file): not a valid safetensors file: \(reason)"
        case let .invalidTensor(file, tensor, reason):
            return "\(file): tensor '\(tensor)': \(reason)"
        case let .unsupportedDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype); only F32, F16 and BF16 can be loaded"
        case let .shapeMismatch(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' has shape \(found), but config.json implies \(expected)"
                + " (is config.json from the same model?)"
        case let .missingTensor(file, tensor):
            return "\(file): tensor '\(tensor)' is missing (is this a GPT-2 checkpoint, and complete?)"
        case let .unexpectedTensor(file, tensor):
            return "\(file): unexpected tensor '\(tensor)' (not part of GPT-2 with this config.json)"
        case let .duplicateTensor(file, tensor):
            return "\(file): tensor '\(tensor)' appears more than once (with and without 'transformer.'?)"
        case let .untiedLMHead(file, index):
            return "\(file): lm_head.weight differs from transformer.wte.weight (first at flat index \(index));"
                + " LNTune ties the LM head to the token embedding, so untied checkpoints are not supported"
        case let .nonFiniteTensor(file, tensor, index, value):
            return "\(file): tensor '\(tensor)' holds \(value) at flat index \(index); a checkpoint must be finite"
                + " (is the file corrupt, or was it saved after training diverged?)"
        case let .modelTooLarge(directory, parameters, needed, available):
            return "\(directory): loading this model needs \(byteText(needed)) (\(parameters) parameters as 32-bit"
                + " floats), more than the \(byteText(available)) of physical memory this machine has"
        case let .allocationFailed(file, bytes):
            return "\(file): the system refused to allocate \(byteText(bytes)) for the parameters"
        case let .missingWeights(directory, hint):
            return "\(directory): no model weights found: \(hint)"
        case let .writeFailed(file, reason):
            return "\(file): cannot write: \(reason)"
        case let .invalidInput(argument, reason):
            return "invalid \(argument): \(reason)"
        }
    }
}

/// A byte count for people: "512 bytes", "474.7 MiB", "3.2 TiB".
func byteText(_ bytes: Int) -> String {
    let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    guard bytes >= 1024 else { return "\(bytes) bytes" }
    var value = Double(bytes) / 1024
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    let tenths = (value * 10).rounded() / 10
    return "\(tenths) \(units[unit])"
}

extension GPT2Error {
    /// A readable one-line reason for a `JSONDecoder` failure, naming the key path (`n_embd`,
    /// `h.0.attn.bias.shape[1]`) instead of Foundation's debug dump.
    static func decodingReason(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ keys: [CodingKey]) -> String {
            var s = ""
            for key in keys {
                if let i = key.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + key.stringValue }
            }
            return s.isEmpty ? "top level" : s
        }
        switch error {
        case let .typeMismatch(type, ctx):
            return "\(path(ctx.codingPath)): expected \(type) (\(ctx.debugDescription))"
        case let .valueNotFound(type, ctx):
            return "\(path(ctx.codingPath)): expected \(type), found null"
        case let .keyNotFound(key, ctx):
            return "\(path(ctx.codingPath + [key])): required key is missing"
        case let .dataCorrupted(ctx):
            let underlying = ctx.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
            return "\(path(ctx.codingPath)): \(ctx.debugDescription)\(underlying)"
        @unknown default:
            return "\(error)"
        }
    }
}
