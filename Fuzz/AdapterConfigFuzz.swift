import Foundation
import GPT2
import Tuning

/// libFuzzer target for `adapter_config.json`: any bytes beside a real adapter's weights either read to an
/// adapter whose tensors fit the model or fail with a `TuningError` — never a trap, an overflow or an
/// allocation sized by a garbled number.
///
/// The input is written as the config of each weights folder in turn (PEFT's LN-Tuning, prefix and LoRA files and
/// AdapterHub's bottleneck and MAM files for the tiny test model, copied once from Tests/Fixtures), so one config
/// is read against every kind of weights.
/// An accepted adapter must also write and read back to the same tensors and prefix: a broken invariant is a crash
/// on purpose, which is how libFuzzer reports it.
private let fixture = FuzzFixture()

@_cdecl("LLVMFuzzerTestOneInput")
public func adapterConfigFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    for folder in fixture.weightFolders {
        do {
            try bytes.write(to: folder.appendingPathComponent("adapter_config.json"))
            let adapter = try AdapterFiles.read(from: folder, modelConfig: fixture.modelConfig)
            try AdapterFiles.write(adapter, to: fixture.writeFolder)
            let again = try AdapterFiles.read(from: fixture.writeFolder, modelConfig: fixture.modelConfig)
            precondition(
                again.tensors.count == adapter.tensors.count && (again.prefix == nil) == (adapter.prefix == nil),
                "a written adapter reads back to other tensors")
        } catch let error as TuningError {
            _ = error.description  // formatting the message is part of the path a user sees
        } catch {
            preconditionFailure("an error that is not a TuningError: \(error)")
        }
    }
    return 0
}

/// The tiny model's config and scratch copies of the fixture weights, made once per process.
private struct FuzzFixture {
    let modelConfig: GPT2Config
    let weightFolders: [URL]
    let writeFolder: URL

    init() {
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lntune-adapter-fuzz-\(getpid())")
        do {
            modelConfig = try GPT2Config.decode(
                Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/tiny-gpt2/config.json")),
                source: "Tests/Fixtures/tiny-gpt2/config.json")
            // PEFT's weights file for PEFT's methods, AdapterHub's for the bottleneck family.
            let sources = [
                "adapters/from-peft/ln/adapter_model.safetensors",
                "adapters/from-peft/prefix/adapter_model.safetensors",
                "adapters/from-peft/prefix-direct/adapter_model.safetensors",
                "lora/from-peft/lora/adapter_model.safetensors",
                "bottleneck/seq_bn/adapter.safetensors",
                "bottleneck/double_seq_bn/adapter.safetensors",
                "bottleneck/mam/adapter.safetensors",
            ]
            weightFolders = try sources.enumerated().map { index, source in
                let folder = scratch.appendingPathComponent("folder-\(index)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let weights = folder.appendingPathComponent(URL(fileURLWithPath: source).lastPathComponent)
                try? FileManager.default.removeItem(at: weights)
                try FileManager.default.copyItem(
                    at: root.appendingPathComponent("Tests/Fixtures/" + source), to: weights)
                return folder
            }
            writeFolder = scratch.appendingPathComponent("written")
        } catch {
            fatalError("fuzz fixture setup (run from the package root): \(error)")
        }
    }
}
