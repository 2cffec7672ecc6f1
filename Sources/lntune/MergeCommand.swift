import ArgumentParser
import Foundation
import LNTune
import TextIO

/// `lntune merge`: fold an LN-Tuning (or BitFit / full / LoRA) adapter into the base weights → a plain model folder.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract:
            "Write a full model folder with an adapter's LayerNorms (biases, LoRA updates) folded into the base weights.",
        discussion: """
            The output (config.json + model.safetensors, plus the base folder's tokenizer files) loads in \
            transformers with GPT2LMHeadModel.from_pretrained(OUT) and in LNTune with --model OUT, and computes \
            what the base model with the adapter computes. Prefix adapters (prefix, prefix+ln) cannot be merged: \
            a prefix is extra attention slots, not a change of weights — use them with --adapter instead. \
            --out must not exist; nothing is written unless the merge succeeds.
            """)

    @Option(help: .model) var model: String
    @Option(help: .revision) var revision: String?
    @Option(help: .adapter) var adapter: String

    @Option(help: "Output folder to create (must not exist).")
    var out: String

    func validate() throws {
        try PathFlags.refuseEmpty([
            ("--model", model), ("--adapter", adapter), ("--out", out), ("--revision", revision),
        ])
        try ModelOptions.checkRevision(revision, model: model)
        if FileManager.default.fileExists(atPath: out) {
            throw ValidationError("--out \(out) already exists; choose a new folder (nothing is overwritten)")
        }
    }

    func run() throws {
        let base = try revision.map { try ModelResolver.resolve(model, revision: $0).path } ?? model
        let summary = try AdapterMerging.merge(model: base, adapter: adapter, output: URL(fileURLWithPath: out))
        printWarnings(summary.warnings)
        let files = summary.copiedFiles.isEmpty ? "" : "; copied \(summary.copiedFiles.joined(separator: ", "))"
        print(
            "merged a \(summary.method) adapter (\(NumberText.count(summary.replacedTensors, "tensor"))) into \(out)\(files)"
        )
    }
}
