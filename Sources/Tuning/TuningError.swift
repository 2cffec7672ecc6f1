import GPT2

/// Errors of the tuning methods, optimizer, adapter files and training checkpoints, each naming the option,
/// file or tensor it is about and, where there is one, what to do.
public enum TuningError: Error, Equatable, CustomStringConvertible {
    case invalidOption(name: String, value: String, hint: String)
    /// A command-line option no tuning method has.
    case unknownOption(name: String, hint: String)
    /// An option of another method than the chosen one (`--ln-terms` with `--method bitfit`).
    case optionOfAnotherMethod(name: String, owners: String, method: String)
    /// The model (forward, backward) or the safetensors layer underneath reported a problem.
    case model(GPT2Error)
    /// A file an adapter or checkpoint folder must contain is not there.
    case missingFile(path: String, hint: String)
    /// An adapter file exists but is not what LNTune (or PEFT) writes.
    case invalidAdapter(file: String, reason: String)
    /// A PEFT adapter of a type LNTune does not implement (LoRA, IA3, …) or an LNTune layout it does not know.
    case unsupportedAdapter(file: String, type: String)
    /// An adapter tensor whose shape does not fit the model it is applied to.
    case adapterShapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
    /// A training checkpoint that cannot be read, or does not belong to this model, method and optimizer.
    case invalidCheckpoint(file: String, reason: String)
    /// The adapter's method cannot be folded into the model weights.
    case cannotMerge(method: String, reason: String)
    /// Refusing to overwrite what is already there.
    case outputExists(path: String)
    /// A training step was handed input it cannot train on.
    case invalidBatch(reason: String)
    /// An adapter or checkpoint tensor holds NaN or infinity (read from a file, or about to be written).
    case nonFiniteTensor(file: String, tensor: String, index: Int, value: Float, hint: String)
    /// A training step produced a NaN or infinite loss, gradient norm or updated value: the run diverged.
    /// `quantity` says which; the values before the step are intact unless it is an updated value.
    case diverged(step: Int, quantity: String, value: Double)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, hint):
            return "invalid --\(name) '\(value)': \(hint)"
        case let .optionOfAnotherMethod(name, owners, method):
            return "--\(name) needs --method \(owners); the method here is \(method)"
        case let .unknownOption(name, hint):
            return "unknown option '\(name.hasPrefix("-") ? name : "--" + name)': \(hint)"
        case let .model(error):
            return error.description
        case let .missingFile(path, hint):
            return "\(path): no such file (\(hint))"
        case let .invalidAdapter(file, reason):
            return "\(file): not a valid adapter: \(reason)"
        case let .unsupportedAdapter(file, type):
            let peft = TuningMethods.entries.compactMap(\.peftType).joined(separator: ", ")
            return "\(file): adapter type '\(type)' is not supported (LNTune reads PEFT adapters of type \(peft)"
                + " and its own layouts for " + TuningMethods.ownLayoutNames.joined(separator: ", ") + ")"
        case let .adapterShapeMismatch(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' has shape \(found), but the model needs \(expected)"
                + " (was the adapter trained on a different model size?)"
        case let .invalidCheckpoint(file, reason):
            return "\(file): cannot resume from this training checkpoint: \(reason)"
        case let .cannotMerge(method, reason):
            return "cannot merge a \(method) adapter into the model weights: \(reason)"
        case let .outputExists(path):
            return "\(path) already exists; choose a new output folder (nothing was overwritten)"
        case let .invalidBatch(reason):
            return "invalid training batch: \(reason)"
        case let .nonFiniteTensor(file, tensor, index, value, hint):
            return "\(file): tensor '\(tensor)' holds \(value) at index \(index); \(hint)"
        case let .diverged(step, quantity, value):
            return "training diverged at step \(step): the \(quantity) is \(value)"
        }
    }
}

extension TuningError {
    /// Runs `body`, turning a `GPT2Error` into `.model`.
    static func wrapping<R>(_ body: () throws(GPT2Error) -> R) throws(TuningError) -> R {
        do { return try body() } catch { throw .model(error) }
    }
}
