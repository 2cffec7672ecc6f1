import Decoding
import Foundation
import GPT2
import LNTune
import TestSupport
import Testing
import Tuning

/// LoRA through the loader the commands use: decoding with a PEFT-written LoRA adapter (read, run beside the
/// Linears at every decoded position through the KV cache) gives transformers' greedy and beam ids on PEFT's
/// model with the cache (eval/reference/make_lora_fixtures.py), and `lntune merge` folds it into the weights.
struct LoRAPipelineTests {
    struct Expected: Decodable, Sendable {
        struct Case: Decodable, Sendable {
            let generate: [String: Generate]
        }
        struct Generate: Decodable, Sendable {
            let num_beams: Int
            let expected: [[Int]]
        }
        let prompts: [[Int]]
        let max_new_tokens: Int
        let eos_token_id: Int
        let adapters: [String: Case]
    }

    static let table = FixtureTable<Expected>("lora/from-peft/expected.json")

    static func adapterPath(_ name: String) -> String { Fixtures.url("lora/from-peft/\(name)").path }

    /// Each adapter's greedy and 3-beam ids, for all prompts as one left-padded batch and for each alone.
    @Test(arguments: ["lora/greedy", "lora/beam3", "lora-all/greedy", "lora-all/beam3"])
    func decodingMatchesPEFT(_ key: String) throws {
        let doc = try Self.table.value()
        let (adapter, mode) = (String(key.split(separator: "/")[0]), String(key.split(separator: "/")[1]))
        let reference = try #require(doc.adapters[adapter]?.generate[mode])
        let weights = try ModelLoader.loadWeights(
            ModelRequest(model: Fixtures.url("tiny-gpt2").path, adapter: Self.adapterPath(adapter)))
        var model = GPT2LanguageModel(model: try weights.makeModel())
        #expect(model.model.modelExtension != nil, "the LoRA module is not attached")
        try GenerateAdapterTests.expectDecoding(
            &model, prompts: doc.prompts, maxNewTokens: doc.max_new_tokens, numBeams: reference.num_beams,
            eos: doc.eos_token_id, expected: reference.expected)
    }

    /// `lntune merge` of a LoRA adapter writes the folder transformers loaded with the adapter's logits
    /// (lora/from-lntune/merged-lora, checked against PEFT's merge_and_unload), replacing the targeted weights.
    @Test func mergeFoldsLoRAIntoTheWeights() throws {
        let folder = try TemporaryFolder()
        let out = folder.url.appendingPathComponent("merged")
        let summary = try AdapterMerging.merge(
            model: Fixtures.url("tiny-gpt2").path, adapter: Fixtures.url("lora/from-lntune/lora").path, output: out)
        #expect(summary.method == "lora" && summary.replacedTensors == 2)
        let merged = try GPT2Checkpoint.load(directory: out)
        let want = try GPT2Checkpoint.load(directory: Fixtures.url("lora/from-lntune/merged-lora"))
        let (got, reference) = (Array(merged.parameters.buffer), Array(want.parameters.buffer))
        #expect(maxAbsDifference(got, reference) <= 1e-6 * (reference.map { abs($0) }.max() ?? 1))
        // The merged folder runs as a plain model: no module is attached when it is loaded.
        #expect(try ModelLoader.loadWeights(ModelRequest(model: out.path)).makeModel().modelExtension == nil)
    }
}
