import Foundation
import Testing
import TestSupport

import GPT2

/// Sampled `[flat_index, value]` pairs per variant and tensor, as PyTorch converts them (`tensor.float()`),
/// written by eval/reference/make_checkpoint_fixtures.py.
private let sampledValues = FixtureTable<[String: [String: [[Double]]]]>("checkpoints/values.json")

private func load(_ name: String) throws -> GPT2Checkpoint {
    try GPT2Checkpoint.load(directory: Fixtures.url(name))
}

/// Every checkpoint variant (no prefix, F16, BF16, attention buffers, explicit tied LM head, sharded) loads,
/// and the sampled values equal PyTorch's float32 conversion bit for bit (F16/BF16 conversion is exact,
/// including subnormals, -0 and the largest finite values planted in wte).
@Test(arguments: try sampledValues.cases(count: 6) { $0.keys.sorted() })
func variantLoadsWithExactValues(variant: String) throws {
    let checkpoint = try load("checkpoints/\(variant)")
    let expected = try #require(try sampledValues.value()[variant])
    #expect(expected.count == checkpoint.parameters.layout.slots.count)
    for slot in checkpoint.parameters.layout.slots {
        let samples = try #require(expected[slot.tensor.huggingFaceName], "no samples for \(slot.tensor)")
        let values = checkpoint.parameters[slot.tensor]
        for pair in samples {
            let index = Int(pair[0])
            let want = Float(pair[1])
            #expect(values[index].bitPattern == want.bitPattern, "\(variant) \(slot.tensor.huggingFaceName)[\(index)]")
        }
    }
}

/// F32 variants hold the very same numbers as the source fixture, whatever their naming or packaging.
@Test(arguments: ["no-prefix", "attn-bias", "lm-head", "sharded"])
func f32VariantsEqualTheSource(variant: String) throws {
    let source = try load("tiny-gpt2")
    let other = try load("checkpoints/\(variant)")
    #expect(other.config == source.config)
    #expect(Array(other.parameters.buffer) == Array(source.parameters.buffer))
}

/// The loader puts each tensor where the layout says: reading the file tensor by tensor gives the same values.
@Test func loaderMatchesDirectTensorReads() throws {
    let checkpoint = try load("tiny-gpt2")
    let file = try SafeTensorsFile.open(Fixtures.url("tiny-gpt2/model.safetensors"))
    #expect(file.metadata["format"] == "pt")
    for slot in checkpoint.parameters.layout.slots {
        let direct = try file.readFloat32("transformer." + slot.tensor.huggingFaceName)
        #expect(direct == Array(checkpoint.parameters[slot.tensor]), "\(slot.tensor.huggingFaceName)")
    }
}

/// `save` then `load` reproduces every parameter bit for bit, with the names and metadata transformers expects.
@Test func saveRoundTrips() throws {
    let source = try load("checkpoints/bf16")
    let folder = try TemporaryFolder()
    try source.save(to: folder.url)
    let again = try GPT2Checkpoint.load(directory: folder.url)
    #expect(again.config == source.config)
    #expect(Array(again.parameters.buffer).map(\.bitPattern) == Array(source.parameters.buffer).map(\.bitPattern))
    let file = try SafeTensorsFile.open(folder.url.appendingPathComponent("model.safetensors"))
    #expect(file.metadata == ["format": "pt"])
    #expect(file.tensorNames.allSatisfy { $0.hasPrefix("transformer.") })
    #expect(file.tensorNames.count == source.parameters.layout.slots.count)
    let config = try JSONSerialization.jsonObject(
        with: Data(contentsOf: folder.url.appendingPathComponent("config.json")))
    #expect((config as? [String: Any])?["architectures"] as? [String] == ["GPT2LMHeadModel"])
    // Only the two final files: the temporary files were renamed away.
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
    #expect(names == ["config.json", "model.safetensors"])
}
