import ArgumentParser
import Foundation
import LNTune

/// `lntune merge`: fold an LN-Tuning (or BitFit / full) adapter into the base weights → a plain model folder.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Write a full model folder with an adapter's LayerNorms (or biases) folded into the base weights.",
        discussion: """
            The output (config.json + model.safetensors, plus the base folder's tokenizer files) loads in \
            transformers with GPT2LMHeadModel.from_pretrained(OUT) and in LNTune with --model OUT, and computes \
            what the base model with the adapter computes. Prefix adapters (prefix, prefix+ln) cannot be merged: \
            a prefix is extra attention slots, not a change of weights — use them with --adapter instead. \
            --out must not exist; nothing is written unless the merge succeeds.
            """)

    @Option(help: "Base model: a folder (config.json + model.safetensors) or a name in the Hugging Face cache.")
    var model: String

    @Option(help: "Adapter folder (PEFT LN_TUNING, or LNTune's bitfit / full layouts).")
    var adapter: String

    @Option(help: "Output folder to create (must not exist).")
    var out: String

    func validate() throws {
        if FileManager.default.fileExists(atPath: out) {
            throw ValidationError("--out \(out) already exists; choose a new folder (nothing is overwritten)")
        }
    }

    func run() throws {
        let modelFolder = try ModelResolver.resolve(model)
        let summary = try AdapterMerging.merge(
            model: modelFolder, adapter: URL(fileURLWithPath: adapter), output: URL(fileURLWithPath: out))
        let files = summary.copiedFiles.isEmpty ? "" : "; copied \(summary.copiedFiles.joined(separator: ", "))"
        print("merged a \(summary.method) adapter (\(summary.replacedTensors) tensors) into \(out)\(files)")
    }
}
