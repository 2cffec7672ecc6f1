import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// PEFT's `PrefixEncoder` on given weights (eval/reference/make_tuning_fixtures.py).
private struct EncoderCase: Decodable {
    let virtual_tokens: Int, hidden: Int
    let weights: [String: [Float]], output: [Float], upstream: [Float], gradients: [String: [Float]]
}

private func encoder(_ name: String) throws -> (PrefixParameters, EncoderCase) {
    let cases = try Fixtures.json([String: EncoderCase].self, "tuning/prefix-encoder.json")
    let f = try #require(cases[name])
    let projection: PrefixTuningOptions.Projection = name == "mlp" ? .mlp(hidden: f.hidden) : .direct
    let prefix = PrefixParameters(
        config: Tiny.config, options: .init(virtualTokens: f.virtual_tokens, projection: projection))
    #expect(Set(prefix.tensors.map(\.name)) == Set(f.weights.keys))
    for (n, values) in f.weights { _ = prefix[n].update(fromContentsOf: values) }
    return (prefix, f)
}

/// The encoder's output (PEFT's `prompt_embeddings`, [P, 2·L·d]) and its backward equal PEFT's / torch
/// autograd's within 1e-5 of each tensor's scale, for the MLP and the direct parameterisation.
@Test(arguments: ["mlp", "direct"])
func prefixEncoderMatchesPEFT(_ name: String) throws {
    let (prefix, f) = try encoder(name)
    let output = prefix.embedding()
    #expect(scaledError(output, f.output) <= 1e-5, "output: \(scaledError(output, f.output))")
    // The slots the model attends to are that output in PEFT's get_prompt layout.
    #expect(prefix.slots().peftEmbedding() == output)

    let upstream = try PrefixSlots(config: Tiny.config, peftEmbedding: f.upstream)
    let gradients = FloatBuffer(count: prefix.count)
    prefix.backward(slotGradients: upstream, into: gradients)
    for t in prefix.tensors {
        let got = Array(gradients.buffer[t.range])
        let want = try #require(f.gradients[t.name])
        #expect(scaledError(got, want) <= 1e-5, "\(t.name): \(scaledError(got, want))")
    }
    // backward adds: a second call doubles every gradient.
    prefix.backward(slotGradients: upstream, into: gradients)
    var once: [Float] = []
    for t in prefix.tensors { once += try #require(f.gradients[t.name]) }
    #expect(scaledError(gradients.array, once.map { 2 * $0 }) <= 2e-5)
}

/// The MLP backward equals central differences of L = Σ G ⊙ encoder(θ) for every parameter tensor.
@Test func prefixMLPBackwardMatchesFiniteDifferences() throws {
    let options = PrefixTuningOptions(virtualTokens: 3, projection: .mlp(hidden: 8))
    var random = TuningRandom(seed: 9)
    let prefix = PrefixParameters(config: Tiny.config, options: options, random: &random)
    var seeded = SeededRandom(seed: 4)
    let weights = seeded.normals(3 * PrefixTuningOptions.rowWidth(config: Tiny.config))
    let upstream = try PrefixSlots(config: Tiny.config, peftEmbedding: weights)
    let gradients = FloatBuffer(count: prefix.count)
    prefix.backward(slotGradients: upstream, into: gradients)
    let report = FiniteDifference.check(prefix.values.base, count: prefix.count, analytic: gradients.array, step: 1e-2)
    {
        prefix.embedding().withUnsafeBufferPointer { FiniteDifference.weightedSum($0.baseAddress!, weights) }
    }
    #expect(report.maxError < 2e-2, "\(report)")
    #expect(report.checked == prefix.count)
}

/// PEFT's initialisation: the embedding N(0, 1); each Linear's weight and bias U(±1/√fan_in), seeded and
/// reproducible; another seed gives other values.
@Test func prefixInitialisationFollowsTorchDefaults() {
    let options = PrefixTuningOptions(virtualTokens: 64, projection: .mlp(hidden: 48))
    var r1 = TuningRandom(seed: 1), r2 = TuningRandom(seed: 1), r3 = TuningRandom(seed: 2)
    let a = PrefixParameters(config: Tiny.config, options: options, random: &r1)
    let b = PrefixParameters(config: Tiny.config, options: options, random: &r2)
    let c = PrefixParameters(config: Tiny.config, options: options, random: &r3)
    #expect(bits(a.values.buffer) == bits(b.values.buffer))
    #expect(bits(a.values.buffer) != bits(c.values.buffer))
    let embedding = Array(a["embedding.weight"]).map(Double.init)
    let mean = embedding.reduce(0, +) / Double(embedding.count)
    let variance = embedding.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(embedding.count)
    #expect(abs(mean) < 0.06 && abs(variance - 1) < 0.1, "embedding mean \(mean), variance \(variance)")
    for (name, fanIn) in [
        ("transform.0.weight", 32), ("transform.0.bias", 32), ("transform.2.weight", 48), ("transform.2.bias", 48),
    ] {
        let values = Array(a[name])
        let bound = 1 / Float(fanIn).squareRoot()
        #expect(values.allSatisfy { abs($0) <= bound }, "\(name) outside ±\(bound)")
        #expect((values.map { abs($0) }.max() ?? 0) > 0.8 * bound, "\(name) does not fill ±\(bound)")
    }
}

/// Zero virtual tokens: no slots, nothing to differentiate, and the encoder still has its MLP weights.
@Test func emptyPrefix() {
    var random = TuningRandom(seed: 3)
    let prefix = PrefixParameters(
        config: Tiny.config, options: .init(virtualTokens: 0, projection: .mlp(hidden: 8)), random: &random)
    #expect(prefix.embedding().isEmpty)
    #expect(prefix.slots().length == 0)
    let gradients = FloatBuffer(count: prefix.count)
    prefix.backward(slotGradients: PrefixSlots(config: Tiny.config, length: 0), into: gradients)
    #expect(gradients.array.allSatisfy { $0 == 0 })
}
