import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// The LoRA adapters LNTune writes for the PEFT round trip (Tests/Fixtures/lora/from-lntune/): A and B moved
/// from their seeded initialisation by N(0, 0.3²) noise (B starts at zero), LayerNorms likewise for `lora-ln`;
/// `merged-lora` is `lora` folded into the base. eval/reference/make_lora_fixtures.py loads them with PEFT and
/// records their logits.
enum LoRAFixtureBuilder {
    static let folder = Fixtures.url("lora/from-lntune")

    static let methods: [(String, any TuningMethod)] = [
        ("lora", LoRATuning(options: LoRAOptions(rank: 4, alpha: 8))),
        (
            "lora-all",
            LoRATuning(options: LoRAOptions(rank: 2, alpha: 5, targets: .names(["c_attn", "c_proj", "c_fc"])))
        ),
        ("lora-ln", TuningConfiguration.loraLN(lora: LoRAOptions(rank: 4, alpha: 8)).method),
    ]

    static func perturbed(_ method: any TuningMethod) throws -> Adapter {
        let options = TunerOptions(schedule: LearningRateSchedule(peak: 1e-3, totalSteps: 1), seed: 7)
        let tuner = try Tuner(model: try Tiny.model(), method: method, options: options)
        var random = TuningRandom(seed: 99)
        for segment in tuner.segments {
            for i in segment.valueBuffer.indices { segment.valueBuffer[i] += 0.3 * random.normal() }
        }
        return tuner.adapter(baseModel: "Tests/Fixtures/tiny-gpt2")
    }

    static func write(to root: URL) throws {
        var lora: Adapter?
        for (name, method) in methods {
            let adapter = try perturbed(method)
            if name == "lora" { lora = adapter }
            try AdapterFiles.write(adapter, to: root.appendingPathComponent(name))
        }
        let base = try Tiny.checkpoint()
        try lora?.merge(into: base.parameters)
        try base.save(to: root.appendingPathComponent("merged-lora"))
    }
}

private func adapterLogits(_ folder: URL, wholeModel: Bool) throws -> [Float] {
    let f = try LoRAExpected.table.value()
    let batch = try f.batch.training.tokens
    let rows = LogitRows.positions(f.logit_positions)
    if wholeModel {
        return try GPT2Model(checkpoint: GPT2Checkpoint.load(directory: folder)).logits(batch, rows: rows).values
    }
    let adapter = try AdapterFiles.read(from: folder, modelConfig: Tiny.config)
    return try adapter.model(on: Tiny.model()).logits(batch, rows: rows).values
}

/// The LoRA adapters LNTune wrote, loaded by PEFT (`PeftModel.from_pretrained`; for lora+ln the LN part merged
/// first), give the logits LNTune computes with them within 1e-4 of scale; `lntune merge`'s folder loads in
/// transformers with the adapter's logits (the script also checks it against PEFT's merge_and_unload).
@Test(arguments: LoRAFixtureBuilder.methods.map(\.0) + ["merged-lora"])
func lntuneLoRAAdaptersGiveTheLogitsPEFTComputes(_ name: String) throws {
    let expected = try Fixtures.json([String: [Float]].self, "lora/from-lntune/expected.json")
    let got = try adapterLogits(
        LoRAFixtureBuilder.folder.appendingPathComponent(name), wholeModel: name.hasPrefix("merged-"))
    let want = try #require(expected[name], "no PEFT logits for \(name): rerun make_lora_fixtures.py")
    #expect(scaledError(got, want) <= 1e-4, "\(name): \(scaledError(got, want))")
}

/// The committed from-lntune LoRA files are what the current writer writes (JSON byte for byte, tensors within
/// 1e-5 of scale), so the PEFT check keeps covering today's writer.
@Test func committedLoRAAdaptersAreWhatTheWriterWrites() throws {
    let fresh = try TemporaryFolder()
    try LoRAFixtureBuilder.write(to: fresh.url)
    #expect(try compareWithCommitted(written: fresh.url, committed: LoRAFixtureBuilder.folder) == 11)
}

/// Regenerates Tests/Fixtures/lora/from-lntune (then run eval/reference/make_lora_fixtures.py).
@Test(
    .enabled(
        if: ProcessInfo.processInfo.environment["LNTUNE_WRITE_ADAPTER_FIXTURES"] == "1",
        "writes fixtures, not a check: set LNTUNE_WRITE_ADAPTER_FIXTURES=1 to regenerate them"))
func writeLoRAAdapterFixtures() throws {
    let root = LoRAFixtureBuilder.folder
    if FileManager.default.fileExists(atPath: root.path) { try FileManager.default.removeItem(at: root) }
    try LoRAFixtureBuilder.write(to: root)
    print("wrote \(root.path); now run ../venv/bin/python eval/reference/make_lora_fixtures.py")
}

/// LoRA's own dropout (`--lora-dropout`) keyed per shard: its gradients match central differences of
/// the loss under the same masks, and it changes the loss (so the masks are applied).
@Test func loraDropoutGradientsMatchFiniteDifferences() throws {
    let options = LoRAOptions(rank: 3, alpha: 6, dropout: 0.3, targets: .names(["c_attn", "mlp.c_proj"]))
    let module = try #require(LoRATuning(options: options).makeExtension(for: Tiny.config))
    var random = TuningRandom(seed: 4)
    module.initialize(random: &random)
    for i in 0..<module.values.count { module.values.base[i] += 0.2 * random.normal() }
    let model = try Tiny.model().extended(with: module)
    let batch = try fourExamples()
    let request = GradientRequest(extensionParameters: true)
    func run(key: UInt64?, into gradients: inout [Float]) throws -> Double {
        try gradients.withUnsafeMutableBufferPointer { g in
            try model.lossAndGradients(
                batch.tokens, labels: batch.labels, options: LossOptions(reduction: .sum), request: request,
                gradients: GPT2Parameters(config: model.config), extensionGradients: g, hookDropoutKey: key
            ).loss
        }
    }
    var analytic = [Float](repeating: 0, count: module.parameterCount)
    let dropped = try run(key: 17, into: &analytic)
    var scratch = analytic
    #expect(abs(try run(key: nil, into: &scratch) - dropped) > 1e-3, "the dropout changed nothing")
    var pick = SeededRandom(seed: 2)
    let report = FiniteDifference.check(
        module.values.base, count: module.values.count, analytic: analytic,
        indices: (0..<50).map { _ in Int.random(in: 0..<module.values.count, using: &pick) }, step: 3e-3
    ) {
        var g = [Float](repeating: 0, count: module.parameterCount)
        return (try? run(key: 17, into: &g)) ?? .nan
    }
    #expect(report.maxError < 2e-2, "\(report)")
}

/// A LoRA run with dropout resumed from a checkpoint continues exactly as the uninterrupted run: values and
/// optimizer moments bit for bit (the masks come from the step's key, not from a stream).
@Test func loraWithDropoutResumesBitIdentically() throws {
    let method = TuningConfiguration.loraLN(lora: LoRAOptions(rank: 2, alpha: 4, dropout: 0.2)).method
    let options = TunerOptions(schedule: LearningRateSchedule(peak: 1e-2, totalSteps: 10), dropout: 0.1)
    let batch = try fourExamples()
    let straight = try Tuner(model: try Tiny.model(), method: method, options: options)
    for _ in 0..<4 { try straight.step(batches: [batch]) }
    let first = try Tuner(model: try Tiny.model(), method: method, options: options)
    for _ in 0..<2 { try first.step(batches: [batch]) }
    let folder = try TemporaryFolder()
    let file = folder.url.appendingPathComponent("checkpoint.safetensors")
    try first.saveCheckpoint(to: file)
    let resumed = try Tuner(model: try Tiny.model(), resumingFrom: try TrainingCheckpoint.read(from: file))
    for _ in 0..<2 { try resumed.step(batches: [batch]) }
    for (a, b) in zip(resumed.segments, straight.segments) {
        #expect(bits(a.valueBuffer) == bits(b.valueBuffer), "\(a.name) differs after resuming")
    }
    #expect(bits(resumed.optimizer.secondMoment.buffer) == bits(straight.optimizer.secondMoment.buffer))
}
