import ArgumentParser
import Foundation
import LNTune

/// `--model` and `--tokenizer`, for every command that runs a model; the help texts below are the only ones.
struct ModelOptions: ParsableArguments {
    @Option(help: .model) var model: String
    @Option(help: .tokenizer) var tokenizer: String?
    @Option(help: .revision) var revision: String?
    @Option(help: .precision) var precision: Precision = .fp32

    func validate() throws {
        try PathFlags.refuseEmpty([("--model", model), ("--tokenizer", tokenizer), ("--revision", revision)])
        try Self.checkRevision(revision, model: model)
    }

    /// A revision must be valid, and only a hub name has revisions.
    static func checkRevision(_ revision: String?, model: String) throws {
        guard let revision else { return }
        try CommandFailure.usage { try HubCache.validateRevision(revision) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("--revision is for a hub name in the cache; '\(model)' is a folder")
        }
    }

    /// `--model` as commands that record it take it: the text as given, or with `--revision` the snapshot folder
    /// that revision resolves to in the cache (so the run records the exact files it used).
    func resolvedModel() throws -> String {
        guard let revision else { return model }
        return try ModelResolver.resolve(model, revision: revision).path
    }

    /// The files `ModelLoader` reads for these options, which no output may replace.
    func inputFiles(adapter: String? = nil) -> [SameFileCheck.Labeled] {
        [("--model", model), ("--tokenizer", tokenizer), ("--adapter", adapter)].compactMap { flag, path in
            path.map { SameFileCheck.Labeled(flag, $0) }
        }
    }

    /// What `ModelLoader` loads for these options and `adapter`.
    func request(adapter: String? = nil) -> ModelRequest {
        notePrecision(precision)
        return ModelRequest(
            model: model, tokenizer: tokenizer, adapter: adapter, revision: revision ?? "main", precision: precision)
    }

    /// `precision` as `run.json` records it: nil for fp32 (so runs from before the option resume alike).
    var recordedPrecision: Precision? { precision == .fp32 ? nil : precision }
}

/// `--adapter` where it is optional (`generate`, `perplexity`); `merge` requires it, with the same help.
struct AdapterOptions: ParsableArguments {
    @Option(help: .adapter) var adapter: String?

    func validate() throws { try PathFlags.refuseEmpty([("--adapter", adapter)]) }
}

extension ArgumentHelp {
    static let model = ArgumentHelp(
        "Model: a folder (config.json + model.safetensors) or a hub name in the Hugging Face cache (gpt2).")
    static let tokenizer = ArgumentHelp(
        "Tokenizer: a folder (vocab.json + merges.txt) or a .tiktoken file (with --model, default: the model folder's)."
    )
    static let revision = ArgumentHelp(
        "With a hub name: the branch, tag or commit hash to use from the cache (default: main).")
    static let precision = ArgumentHelp(
        "Matrix products: fp32, or bf16 as torch.autocast does (bf16 inputs, f32 sums; LayerNorm, softmax, GELU, "
            + "the residual stream, the loss and every trained value stay f32).")
    static let adapter = ArgumentHelp(
        "Adapter folder: PEFT LN_TUNING / PREFIX_TUNING / LORA, or LNTune's NAME+ln, bitfit and full layouts.")
}

/// Prints which bf16 products this machine runs (one line on stderr) when `precision` is bf16.
func notePrecision(_ precision: Precision) {
    if precision == .bf16 { FileHandle.standardError.write(Data("\(BF16Backend.note)\n".utf8)) }
}

/// Prints what the loader noticed without refusing, one `warning: …` line each on stderr.
func printWarnings(_ warnings: [LoadWarning]) {
    for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
}
