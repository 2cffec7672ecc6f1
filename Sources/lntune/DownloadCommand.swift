import ArgumentParser
import Foundation
import LNTune
import TextIO

/// `lntune download NAME`: fetches a GPT-2 model folder from the Hugging Face hub into the local cache, where
/// `--model NAME` then finds it.
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a GPT-2 model from the Hugging Face hub into the local cache.",
        discussion: """
            Fetches config.json, model.safetensors, vocab.json and merges.txt (plus tokenizer.json and \
            generation_config.json when present) into the cache huggingface_hub uses (HF_HUB_CACHE, else \
            HF_HOME/hub, else ~/.cache/huggingface/hub). HF_ENDPOINT selects a mirror; HF_TOKEN (or the token \
            saved by `hf auth login`) is sent for private or gated models. An interrupted download resumes \
            where it stopped when the command is run again.
            """)

    @Argument(help: "Model name: gpt2, gpt2-medium, gpt2-large, gpt2-xl or ORG/NAME.")
    var name: String

    @Option(help: "Branch, tag or commit hash.")
    var revision = "main"

    func validate() throws {
        try CommandFailure.usage {
            _ = try HubRepo(name)
            try HubCache.validateRevision(revision)
        }
    }

    func run() async throws {
        let line = ProgressLine()
        let settings = HubSettings()
        let folder = try await HubDownloader(settings: settings) { line.update($0) }.download(name, revision: revision)
        line.finish()
        // Loading validates what arrived (header, shapes, config; the tokenizer against the vocabulary).
        let loaded = try ModelLoader.load(ModelRequest(model: folder.path))
        printWarnings(loaded.warnings)
        let c = loaded.config
        print(
            "\(name)@\(revision): \(NumberText.count(loaded.model.parameters.count, "parameter")) "
                + "(\(NumberText.count(c.nLayer, "layer")), n_embd \(NumberText.grouped(c.nEmbd)))")
        print(folder.path)
    }
}

/// A one-line progress display on stderr: rewritten in place on a terminal, one line per file otherwise.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let interactive = isatty(STDERR_FILENO) != 0
    private var current = ""
    private var started = Date()

    func update(_ p: DownloadProgress) {
        lock.withLock {
            // A new file, or a new attempt at the same one (resumed): restart the rate clock.
            let key = "\(p.file)@\(p.resumedFrom)"
            if key != current {
                if interactive && !current.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
                current = key
                started = Date()
            }
            let done = p.total.map { p.bytes >= $0 } ?? false
            guard interactive || done else { return }
            let mb = { (b: Int64) in String(format: "%.1f", Double(b) / 1e6) }
            let rate = Double(p.bytes - p.resumedFrom) / max(Date().timeIntervalSince(started), 1e-3) / 1e6
            var text = "\(p.file)  \(mb(p.bytes))" + (p.total.map { " / \(mb($0)) MB" } ?? " MB")
            if let total = p.total, total > 0 {
                text += String(format: "  %3.0f%%", 100 * Double(p.bytes) / Double(total))
            }
            text += String(format: "  %.1f MB/s", rate)
            if p.resumedFrom > 0 { text += "  (resumed at \(mb(p.resumedFrom)) MB)" }
            FileHandle.standardError.write(
                Data(((interactive ? "\r\u{1B}[K" : "") + text + (interactive ? "" : "\n")).utf8))
        }
    }

    func finish() {
        lock.withLock { if interactive && !current.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) } }
    }
}
